//! `Swoole\Table`: keys and values converted as Swoole converts them; the rows live in the
//! core (`shared::table`), in memory shared by every process forked after create().

use ext_php_rs::exception::{PhpException, PhpResult};
use ext_php_rs::flags::ClassFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use ext_php_rs::zend::ce;

use crate::php::codec;
use crate::php::convert::{self, Bytes};
use crate::php::errors::warning;
use crate::shared::table::{ColumnType, Cursor, Owned, Table as Core, TableError, Value};

#[php_class]
#[php(name = "Swoole\\Table")]
#[php(flags = ClassFlags::Final)]
#[php(implements(ce = ce::iterator, stub = "\\Iterator"))]
#[php(implements(ce = ce::countable, stub = "\\Countable"))]
pub struct Table {
    core: Core,
    cursor: Cursor,
}

fn not_created() -> PhpException {
    PhpException::new(TableError::NotCreated.to_string(), 0, ce::error())
}

fn zval_of(v: Owned) -> Zval {
    let mut z = Zval::new();
    match v {
        Owned::Int(i) => z.set_long(i),
        Owned::Float(f) => z.set_double(f),
        Owned::Str(s) => return codec::string(&s),
    }
    z
}

fn row_array(core: &Core, values: Vec<Owned>) -> Zval {
    let mut a = ZendHashTable::new();
    for (col, v) in core.columns().iter().zip(values) {
        let _ = a.insert(col.name.as_str(), zval_of(v));
    }
    let mut z = Zval::new();
    z.set_hashtable(a);
    z
}

fn false_zval() -> Zval {
    let mut z = Zval::new();
    z.set_bool(false);
    z
}

impl Table {
    fn ready(&self) -> PhpResult<()> {
        if self.core.is_created() {
            Ok(())
        } else {
            Err(not_created())
        }
    }

    /// Reports a row lock taken over from a dead process (see `shared::lock`).
    fn report_recovered(&self) {
        if let Some(tid) = self.core.take_recovered() {
            warning(&format!("process {tid} died holding a row lock of this table; the lock was taken over (that row may be half-written)"));
        }
    }

    fn add(&self, key: Bytes, column: Bytes, by: Option<&Zval>, op: &'static str) -> PhpResult<Zval> {
        self.ready()?;
        let by = match by {
            None => Value::Int(1),
            Some(z) if z.is_double() => Value::Float(convert::double(z)),
            Some(z) => Value::Int(convert::long(z)),
        };
        let r = self.core.add(&key.0, &column.0, by, op);
        self.report_recovered();
        match r {
            Ok(v) => Ok(zval_of(v)),
            Err(TableError::NotCreated) => Err(not_created()),
            Err(e) => {
                warning(&e.to_string());
                Ok(false_zval())
            }
        }
    }
}

#[php_impl]
impl Table {
    pub const TYPE_INT: i64 = 1;
    pub const TYPE_FLOAT: i64 = 2;
    pub const TYPE_STRING: i64 = 3;

    #[php(defaults(conflict_proportion = 0.2))]
    pub fn __construct(table_size: i64, conflict_proportion: f64) -> Self {
        Table { core: Core::new(table_size, conflict_proportion), cursor: Cursor::default() }
    }

    #[php(defaults(size = 0))]
    pub fn column(&mut self, name: String, r#type: i64, size: i64) -> bool {
        let ty = match r#type {
            1 => ColumnType::Int,
            2 => ColumnType::Float,
            3 => ColumnType::Str,
            _ => return false,
        };
        match self.core.add_column(&name, ty, size) {
            Ok(()) => true,
            // Swoole logs a duplicate column only to its own logger.
            Err(crate::shared::table::ColumnError::Duplicate(_)) => false,
            Err(e) => {
                warning(&e.to_string());
                false
            }
        }
    }

    pub fn create(&mut self) -> bool {
        match self.core.create() {
            Ok(()) => true,
            Err(e) => {
                warning(&format!("unable to allocate memory: {e}"));
                false
            }
        }
    }

    pub fn destroy(&mut self) -> PhpResult<bool> {
        self.ready()?;
        self.core.destroy();
        Ok(true)
    }

    pub fn set(&self, key: Bytes, value: &ZendHashTable) -> PhpResult<bool> {
        self.ready()?;
        let mut strings = Vec::new();
        let mut ints = Vec::new();
        for (k, v) in value.iter() {
            let name = k.to_string();
            let Some(i) = self.core.column_index(name.as_bytes()) else { continue };
            if v.is_null() {
                ints.push((i, None));
                continue;
            }
            match self.core.columns()[i].ty {
                ColumnType::Int => ints.push((i, Some(Value::Int(convert::long(v))))),
                ColumnType::Float => ints.push((i, Some(Value::Float(convert::double(v))))),
                ColumnType::Str => match convert::string(v) {
                    Some(s) => strings.push((i, s.into_owned())),
                    None => return Ok(false),
                },
            }
        }
        let mut values: Vec<(usize, Value)> = Vec::with_capacity(ints.len() + strings.len());
        for (i, v) in ints {
            values.push((i, v.unwrap_or(match self.core.columns()[i].ty {
                ColumnType::Int => Value::Int(0),
                ColumnType::Float => Value::Float(0.0),
                ColumnType::Str => Value::Str(b""),
            })));
        }
        values.extend(strings.iter().map(|(i, s)| (*i, Value::Str(s))));
        let r = self.core.set(&key.0, &values);
        self.report_recovered();
        match r {
            Ok(()) => Ok(true),
            Err(TableError::Full) => {
                warning(&format!("failed to set('{}'), unable to allocate memory", String::from_utf8_lossy(&key.0)));
                Ok(false)
            }
            Err(TableError::NotCreated) => Err(not_created()),
            Err(e) => {
                warning(&e.to_string());
                Ok(false)
            }
        }
    }

    pub fn get(&self, key: Bytes, field: Option<Bytes>) -> PhpResult<Zval> {
        self.ready()?;
        let r = match field {
            Some(f) => match self.core.column_index(&f.0) {
                // The value is read under the row lock, made a PHP value after: a PHP memory
                // error must not leave with the lock held.
                Some(i) => self.core.with_row(&key.0, |row| row.value(&self.core.columns()[i])).map(|o| o.map(zval_of)),
                None => return Ok(false_zval()),
            },
            None => self.core.get(&key.0).map(|o| o.map(|v| row_array(&self.core, v))),
        };
        self.report_recovered();
        match r {
            Ok(Some(z)) => Ok(z),
            Ok(None) => Ok(false_zval()),
            Err(_) => Err(not_created()),
        }
    }

    pub fn exists(&self, key: Bytes) -> PhpResult<bool> {
        self.ready()?;
        let r = self.core.exists(&key.0).map_err(|_| not_created());
        self.report_recovered();
        r
    }

    pub fn del(&self, key: Bytes) -> PhpResult<bool> {
        self.ready()?;
        let r = self.core.del(&key.0).map_err(|_| not_created());
        self.report_recovered();
        r
    }

    pub fn incr(&self, key: Bytes, column: Bytes, incrby: Option<&Zval>) -> PhpResult<Zval> {
        self.add(key, column, incrby, "incr")
    }

    pub fn decr(&self, key: Bytes, column: Bytes, incrby: Option<&Zval>) -> PhpResult<Zval> {
        let by = incrby.map(|z| {
            let mut n = Zval::new();
            if z.is_double() {
                n.set_double(-convert::double(z));
            } else {
                n.set_long(convert::long(z).wrapping_neg());
            }
            n
        });
        match by {
            Some(n) => self.add(key, column, Some(&n), "decr"),
            None => {
                let mut n = Zval::new();
                n.set_long(-1);
                self.add(key, column, Some(&n), "decr")
            }
        }
    }

    /// `COUNT_RECURSIVE` (1) counts every field, as Swoole's; PHP's count($table) always
    /// asks for the rows.
    #[php(defaults(mode = 0))]
    pub fn count(&self, mode: i64) -> i64 {
        let rows = i64::try_from(self.core.count()).unwrap_or(i64::MAX);
        if mode == 1 {
            rows.saturating_mul(self.core.columns().len() as i64)
        } else {
            rows
        }
    }

    #[php(name = "getSize")]
    pub fn get_size(&self) -> i64 {
        i64::from(self.core.size())
    }

    #[php(name = "getMemorySize")]
    pub fn get_memory_size(&self) -> i64 {
        if self.core.is_created() {
            self.core.memory_size().map_or(0, |m| m as i64)
        } else {
            0
        }
    }

    #[php(getter, name = "size")]
    pub fn size_prop(&self) -> Option<i64> {
        self.core.is_created().then(|| i64::from(self.core.size()))
    }

    #[php(getter, name = "memorySize")]
    pub fn memory_size_prop(&self) -> Option<i64> {
        self.core.is_created().then(|| self.core.memory_size().map_or(0, |m| m as i64))
    }

    pub fn stats(&self) -> Zval {
        let Some(s) = self.core.stats() else { return false_zval() };
        let mut a = ZendHashTable::new();
        for (k, v) in [
            ("num", s.rows),
            ("conflict_count", s.conflict_count),
            ("conflict_max_level", s.conflict_max_level),
            ("insert_count", s.insert_count),
            ("update_count", s.update_count),
            ("delete_count", s.delete_count),
            ("available_slice_num", s.available),
            ("total_slice_num", s.total),
        ] {
            let _ = a.insert(k, i64::try_from(v).unwrap_or(i64::MAX));
        }
        let mut z = Zval::new();
        z.set_hashtable(a);
        z
    }

    pub fn rewind(&mut self) -> PhpResult<()> {
        self.ready()?;
        let r = self.cursor.rewind(&self.core).map_err(|_| not_created());
        self.report_recovered();
        r
    }

    pub fn next(&mut self) -> PhpResult<()> {
        self.ready()?;
        let r = self.cursor.next(&self.core).map_err(|_| not_created());
        self.report_recovered();
        r
    }

    pub fn valid(&self) -> PhpResult<bool> {
        self.ready()?;
        Ok(self.cursor.current().is_some())
    }

    pub fn current(&self) -> PhpResult<Zval> {
        self.ready()?;
        Ok(match self.cursor.current() {
            Some(s) => row_array(&self.core, s.values.clone()),
            None => Zval::new(),
        })
    }

    pub fn key(&self) -> PhpResult<Zval> {
        self.ready()?;
        Ok(match self.cursor.current() {
            Some(s) => codec::string(&s.key),
            None => Zval::new(),
        })
    }
}
