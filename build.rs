// Records the git revision in the build so `php --ri rswoole` can say exactly which build is loaded.
fn main() {
    let rev = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=RSWOOLE_GIT_REV={rev}");
    // logs/HEAD changes with every commit and checkout; HEAD itself rarely does.
    println!("cargo:rerun-if-changed=.git/logs/HEAD");
}
