//! `Swoole\Process`: the surface a user process needs (its callback, a pipe to it, pid and
//! id, name, signals, kill, wait, exit), for `addProcess()` and for a standalone `start()`.

use std::cell::{Cell, RefCell};
use std::os::fd::{AsRawFd, OwnedFd};

use ext_php_rs::exception::{PhpException, PhpResult};
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use ext_php_rs::zend::{ce, Function};
use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};

use crate::php::callbacks::run_to_exit;
use crate::php::codec;
use crate::php::errors::warning;

const SOCK_STREAM: i64 = 1;
const SOCK_DGRAM: i64 = 2;

#[php_class]
#[php(name = "Swoole\\Process")]
pub struct Process {
    callback: Zval,
    redirect: bool,
    /// (the parent's end, the child's end) of the pipe; none with a pipe type of 0.
    pipe_ends: Option<(OwnedFd, OwnedFd)>,
    /// This object is the one inside the child (its own end is the child's).
    in_child: Cell<bool>,
    /// The pid once started (null before, and in other processes of a server).
    #[php(prop)]
    pid: Option<i64>,
    /// Its index among added processes, then its worker id once the server started.
    #[php(prop)]
    id: Option<i64>,
    /// The parent's end of the pipe, as Swoole's `$process->pipe`.
    #[php(prop)]
    pipe: Option<i64>,
    closed: RefCell<[bool; 2]>,
}

fn false_zval() -> Zval {
    let mut z = Zval::new();
    z.set_bool(false);
    z
}

fn call_php(name: &str, args: Vec<&dyn ext_php_rs::convert::IntoZvalDyn>) -> Option<Zval> {
    Function::try_from_function(name)?.try_call(args).ok()
}

impl Process {
    /// The end this process uses: the child's inside the child, else the parent's.
    fn own_fd(&self) -> Option<i32> {
        let (parent, child) = self.pipe_ends.as_ref()?;
        let (fd, which) = if self.in_child.get() { (child, 1) } else { (parent, 0) };
        (!self.closed.borrow()[which]).then(|| fd.as_raw_fd())
    }

    /// Called in the child, before the callback: this object now is the child's view.
    pub fn enter_child(&mut self, id: Option<i64>) {
        self.in_child.set(true);
        self.pid = Some(std::process::id() as i64);
        if id.is_some() {
            self.id = id;
        }
        if self.redirect {
            if let Some((_, child)) = &self.pipe_ends {
                // SAFETY: dup2 onto the standard descriptors; the pipe end stays open.
                unsafe {
                    libc::dup2(child.as_raw_fd(), 0);
                    libc::dup2(child.as_raw_fd(), 1);
                }
            }
        }
    }

    pub fn callback(&self) -> Zval {
        self.callback.shallow_clone()
    }

    pub fn set_id(&mut self, id: i64) {
        self.id = Some(id);
    }
}

#[php_impl]
impl Process {
    #[php(defaults(redirect_stdin_and_stdout = false, pipe_type = 2, enable_coroutine = false))]
    pub fn __construct(callback: &Zval, redirect_stdin_and_stdout: bool, pipe_type: i64, enable_coroutine: bool) -> PhpResult<Self> {
        let _ = enable_coroutine;
        if !callback.is_callable() {
            return Err(PhpException::new("Argument #1 ($callback) must be a valid callback".into(), 0, ce::type_error()));
        }
        // Swoole: redirecting stdio needs a stream pipe.
        let pipe_type = if redirect_stdin_and_stdout { SOCK_STREAM } else { pipe_type };
        let ty = match pipe_type {
            0 => None,
            SOCK_STREAM => Some(SockType::Stream),
            _ => Some(SockType::Datagram),
        };
        let pipe_ends = match ty {
            None => None,
            Some(t) => Some(socketpair(AddressFamily::Unix, t, None, SockFlag::SOCK_CLOEXEC).map_err(|e| {
                PhpException::new(format!("failed to create the pipe: {e}"), 0, <crate::php::server::SwooleException as ext_php_rs::class::RegisteredClass>::get_metadata().ce())
            })?),
        };
        let pipe = pipe_ends.as_ref().map(|(p, _)| i64::from(p.as_raw_fd()));
        let _ = SOCK_DGRAM;
        Ok(Process {
            callback: callback.shallow_clone(),
            redirect: redirect_stdin_and_stdout,
            pipe_ends,
            in_child: Cell::new(false),
            pid: None,
            id: None,
            pipe,
            closed: RefCell::new([false, false]),
        })
    }

    /// Forks and runs the callback in the child (outside a server); the child's pid.
    pub fn start(self_: &mut ext_php_rs::types::ZendClassObject<Process>) -> Zval {
        // SAFETY: PHP runs single-threaded; the child runs only the callback and exits.
        match unsafe { nix::unistd::fork() } {
            Err(e) => {
                warning(&format!("fork() failed: {e}"));
                false_zval()
            }
            Ok(nix::unistd::ForkResult::Parent { child }) => {
                self_.pid = Some(i64::from(child.as_raw()));
                let mut z = Zval::new();
                z.set_long(i64::from(child.as_raw()));
                z
            }
            Ok(nix::unistd::ForkResult::Child) => {
                self_.enter_child(None);
                let cb = self_.callback();
                let mut me = Zval::new();
                me.set_object(&mut self_.std);
                let code = run_to_exit("Process", &cb, vec![&me]).unwrap_or(0);
                drop(me);
                // SAFETY: the child ends here; its output is flushed first, PHP's shutdown is
                // the parent's.
                unsafe {
                    ext_php_rs::ffi::php_output_end_all();
                    libc::fflush(std::ptr::null_mut());
                    libc::_exit(code)
                }
            }
        }
    }

    /// Writes `$data` to the other side of the pipe; the bytes written.
    pub fn write(&self, data: &Zval) -> Zval {
        let Some(fd) = self.own_fd() else {
            warning("no pipe, cannot write into pipe");
            return false_zval();
        };
        let bytes = data.zend_str().map(|s| s.as_bytes().to_vec()).unwrap_or_else(|| crate::php::convert::string(data).map(|c| c.into_owned()).unwrap_or_default());
        let mut done = 0;
        while done < bytes.len() || bytes.is_empty() {
            // SAFETY: a valid fd and buffer; MSG_NOSIGNAL so a closed peer is an error.
            let n = unsafe { libc::send(fd, bytes[done..].as_ptr().cast(), bytes.len() - done, libc::MSG_NOSIGNAL) };
            if n < 0 {
                let e = std::io::Error::last_os_error();
                if e.raw_os_error() == Some(libc::EINTR) {
                    continue;
                }
                warning(&format!("write() failed: {e}"));
                return false_zval();
            }
            done += n as usize;
            if bytes.is_empty() {
                break;
            }
        }
        let mut z = Zval::new();
        z.set_long(done as i64);
        z
    }

    /// Reads up to `$size` bytes (one message on a datagram pipe), waiting for them.
    #[php(defaults(size = 8192))]
    pub fn read(&self, size: i64) -> Zval {
        let Some(fd) = self.own_fd() else {
            warning("no pipe, cannot read from pipe");
            return false_zval();
        };
        let mut buf = vec![0u8; size.clamp(1, 64 << 20) as usize];
        loop {
            // SAFETY: a valid fd and buffer of buf.len() bytes.
            let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n < 0 {
                let e = std::io::Error::last_os_error();
                if e.raw_os_error() == Some(libc::EINTR) {
                    continue;
                }
                warning(&format!("read() failed: {e}"));
                return false_zval();
            }
            return codec::string(&buf[..n as usize]);
        }
    }

    /// Closes this side's end of the pipe (`$which`: 0 both directions, as Swoole).
    #[php(defaults(which = 0))]
    pub fn close(&self, which: i64) -> bool {
        let _ = which;
        let Some(fd) = self.own_fd() else { return false };
        // SAFETY: shutting a socket down does not close the descriptor (the object owns it).
        unsafe { libc::shutdown(fd, libc::SHUT_RDWR) };
        let i = usize::from(self.in_child.get());
        self.closed.borrow_mut()[i] = true;
        true
    }

    /// Ends this process with `$exit_code` (its output flushed first).
    #[php(defaults(exit_code = 0))]
    pub fn exit(&self, exit_code: i64) {
        // SAFETY: the process ends here; output is flushed first.
        unsafe {
            ext_php_rs::ffi::php_output_end_all();
            libc::fflush(std::ptr::null_mut());
            libc::_exit(exit_code as i32)
        }
    }

    /// Sets the process title (`ps`, /proc/PID/cmdline), as cli_set_process_title().
    pub fn name(&self, process_name: String) -> bool {
        call_php("cli_set_process_title", vec![&process_name]).is_some_and(|r| r.bool().unwrap_or(false))
    }

    #[php(defaults(signal_no = 15))]
    pub fn kill(pid: i64, signal_no: i64) -> bool {
        // SAFETY: kill(2) with any values only fails.
        let r = unsafe { libc::kill(pid as libc::pid_t, signal_no as libc::c_int) };
        if r < 0 {
            let e = std::io::Error::last_os_error();
            // As Swoole: probing a gone process (signal 0) is not worth a warning.
            if !(signal_no == 0 && e.raw_os_error() == Some(libc::ESRCH)) {
                warning(&format!("kill({pid}, {signal_no}) failed, Error: {e}"));
            }
            return false;
        }
        true
    }

    /// Reaps a child: `['pid' => , 'code' => , 'signal' => ]`, or false (none, or none
    /// ready without `$blocking`).
    #[php(defaults(blocking = true))]
    pub fn wait(blocking: bool) -> Zval {
        let flags = if blocking { 0 } else { libc::WNOHANG };
        let mut status = 0;
        let pid = loop {
            // SAFETY: waitpid writes only `status`.
            let pid = unsafe { libc::waitpid(-1, &mut status, flags) };
            if pid < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            break pid;
        };
        if pid <= 0 {
            return false_zval();
        }
        let mut a = ZendHashTable::new();
        let _ = a.insert("pid", i64::from(pid));
        let _ = a.insert("code", i64::from(if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 0 }));
        let _ = a.insert("signal", i64::from(if libc::WIFSIGNALED(status) { libc::WTERMSIG(status) } else { 0 }));
        let mut z = Zval::new();
        z.set_hashtable(a);
        z
    }

    /// Runs `$callback($signal_no)` when the signal arrives (PHP's async signals); null
    /// restores the default action.
    pub fn signal(signal_no: i64, callback: Option<&Zval>) -> bool {
        let _ = call_php("pcntl_async_signals", vec![&true]);
        let ok = match callback.filter(|c| !c.is_null()) {
            Some(cb) => call_php("pcntl_signal", vec![&signal_no, cb]),
            None => call_php("pcntl_signal", vec![&signal_no, &0i64]),
        };
        ok.is_some_and(|r| r.bool().unwrap_or(false))
    }
}
