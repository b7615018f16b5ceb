//! An org's records, and the transaction through which a request sees and
//! changes them.
//!
//! The committed records live in an [`OrgStore`] shared by every request of the
//! org. A request works in a [`Transaction`]: its own changes sit in an overlay
//! that its reads see first; they reach the store only on commit, and vanish on
//! rollback (an uncaught exception) or on `Database.rollback` to a savepoint.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use indexmap::IndexMap;

use super::field_value::FieldValue;
use super::ids::{key15, make_id};
use crate::vm::schema::Schema;
use crate::vm::types::SObjectTypeId;

/// One stored record.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    /// The 18-character id.
    pub id: String,
    pub ty: SObjectTypeId,
    /// Lower-case field API name to value.
    pub fields: HashMap<String, FieldValue>,
    /// In the recycle bin.
    pub deleted: bool,
}

impl StoredRecord {
    /// A field's value, null when absent.
    pub fn get(&self, lower: &str) -> &FieldValue {
        static NULL: FieldValue = FieldValue::Null;
        if lower == "id" {
            return self.fields.get("id").unwrap_or(&NULL);
        }
        self.fields.get(lower).unwrap_or(&NULL)
    }
}

/// The committed records of an org.
#[derive(Debug, Default)]
pub struct OrgData {
    /// Per sObject type: records by 15-character id, in insertion order.
    tables: Vec<IndexMap<String, StoredRecord>>,
    /// Per key prefix: the last record number handed out.
    counters: HashMap<String, u64>,
    /// Per (type, field): the last auto-number handed out.
    autonumbers: HashMap<(SObjectTypeId, String), u64>,
}

impl OrgData {
    fn table(&self, ty: SObjectTypeId) -> Option<&IndexMap<String, StoredRecord>> {
        self.tables.get(ty as usize)
    }

    fn table_mut(&mut self, ty: SObjectTypeId) -> &mut IndexMap<String, StoredRecord> {
        if self.tables.len() <= ty as usize {
            self.tables.resize_with(ty as usize + 1, IndexMap::new);
        }
        &mut self.tables[ty as usize]
    }
}

/// The records of one org, shared by its requests.
#[derive(Debug)]
pub struct OrgStore {
    pub schema: Arc<Schema>,
    data: Mutex<OrgData>,
}

impl OrgStore {
    /// An empty org over a schema.
    pub fn new(schema: Arc<Schema>) -> OrgStore {
        OrgStore {
            schema,
            data: Mutex::new(OrgData::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, OrgData> {
        // A request thread that panicked while holding the lock leaves the data as it
        // was before its commit began; go on with it.
        self.data.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new id for a record of a type.
    pub fn next_id(&self, ty: SObjectTypeId) -> String {
        let prefix = self.schema.get(ty).key_prefix.clone();
        let mut d = self.lock();
        let n = d.counters.entry(prefix.clone()).or_insert(0);
        *n += 1;
        make_id(&prefix, *n)
    }

    /// A new id with an explicit key prefix (async job ids, `707`).
    pub fn next_id_with_prefix(&self, prefix: &str) -> String {
        let mut d = self.lock();
        let n = d.counters.entry(prefix.to_string()).or_insert(0);
        *n += 1;
        make_id(prefix, *n)
    }

    /// The next value of an auto-number field.
    pub fn next_autonumber(&self, ty: SObjectTypeId, field: &str) -> u64 {
        let mut d = self.lock();
        let n = d
            .autonumbers
            .entry((ty, field.to_ascii_lowercase()))
            .or_insert(0);
        *n += 1;
        *n
    }

    /// Stores records directly, outside any transaction (loading a world's data).
    pub fn put_committed(&self, records: Vec<StoredRecord>) {
        let mut d = self.lock();
        for r in records {
            d.table_mut(r.ty).insert(key15(&r.id).to_string(), r);
        }
    }

    /// How many live records a type has (committed).
    pub fn count(&self, ty: SObjectTypeId) -> usize {
        let d = self.lock();
        d.table(ty)
            .map(|t| t.values().filter(|r| !r.deleted).count())
            .unwrap_or(0)
    }

    /// A committed record by id.
    pub fn get_committed(&self, id: &str) -> Option<StoredRecord> {
        let ty = self.schema.by_prefix.get(&id[..3.min(id.len())]).copied()?;
        self.lock().table(ty)?.get(key15(id)).cloned()
    }
}

/// A pending change to one record.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    /// The record as it now stands (inserted, updated, deleted or undeleted).
    Put(StoredRecord),
}

/// What a request sees: the committed records under its own changes.
pub struct View<'a> {
    data: &'a OrgData,
    changes: &'a IndexMap<String, Change>,
    pub schema: &'a Schema,
}

impl View<'_> {
    /// A record by id, deleted ones included.
    pub fn get_any(&self, id: &str) -> Option<&StoredRecord> {
        let k = key15(id);
        if let Some(Change::Put(r)) = self.changes.get(k) {
            return Some(r);
        }
        let ty = self.schema.by_prefix.get(&id[..3.min(id.len())]).copied()?;
        self.data.table(ty)?.get(k)
    }

    /// A live record by id.
    pub fn get(&self, id: &str) -> Option<&StoredRecord> {
        self.get_any(id).filter(|r| !r.deleted)
    }

    /// Every record of a type (deleted ones only with `all_rows`), committed order
    /// first, then records this transaction inserted.
    pub fn scan(&self, ty: SObjectTypeId, all_rows: bool, f: &mut dyn FnMut(&StoredRecord)) {
        if let Some(t) = self.data.table(ty) {
            for (k, r) in t {
                let r = match self.changes.get(k) {
                    Some(Change::Put(c)) => c,
                    None => r,
                };
                if all_rows || !r.deleted {
                    f(r);
                }
            }
        }
        for (k, Change::Put(r)) in self.changes {
            if r.ty != ty {
                continue;
            }
            let committed = self.data.table(ty).is_some_and(|t| t.contains_key(k));
            if !committed && (all_rows || !r.deleted) {
                f(r);
            }
        }
    }
}

/// A request's unit of work against an org.
pub struct Transaction {
    store: Arc<OrgStore>,
    changes: IndexMap<String, Change>,
    savepoints: Vec<IndexMap<String, Change>>,
}

impl Transaction {
    /// A transaction with no changes yet.
    pub fn new(store: Arc<OrgStore>) -> Transaction {
        Transaction {
            store,
            changes: IndexMap::new(),
            savepoints: Vec::new(),
        }
    }

    /// The org's store.
    pub fn store(&self) -> &Arc<OrgStore> {
        &self.store
    }

    /// Runs `f` over a consistent view of the org with this transaction's changes.
    pub fn with_view<T>(&self, f: impl FnOnce(&View<'_>) -> T) -> T {
        let data = self.store.lock();
        let view = View {
            data: &data,
            changes: &self.changes,
            schema: &self.store.schema,
        };
        f(&view)
    }

    /// A live record by id, as this transaction sees it.
    pub fn get(&self, id: &str) -> Option<StoredRecord> {
        self.with_view(|v| v.get(id).cloned())
    }

    /// A record by id, deleted ones included.
    pub fn get_any(&self, id: &str) -> Option<StoredRecord> {
        self.with_view(|v| v.get_any(id).cloned())
    }

    /// Writes a record (insert, update, delete or undelete: the record says which).
    pub fn put(&mut self, r: StoredRecord) {
        self.changes
            .insert(key15(&r.id).to_string(), Change::Put(r));
    }

    /// Whether anything changed.
    pub fn is_dirty(&self) -> bool {
        !self.changes.is_empty()
    }

    /// Marks a point to roll back to; gives its number.
    pub fn savepoint(&mut self) -> usize {
        self.savepoints.push(self.changes.clone());
        self.savepoints.len() - 1
    }

    /// Undoes every change since a savepoint. Later savepoints become invalid.
    pub fn rollback_to(&mut self, sp: usize) -> bool {
        if sp >= self.savepoints.len() {
            return false;
        }
        self.changes = self.savepoints[sp].clone();
        self.savepoints.truncate(sp + 1);
        true
    }

    /// Forgets a savepoint and every later one, keeping the changes.
    pub fn release_savepoint(&mut self, sp: usize) {
        self.savepoints.truncate(sp);
    }

    /// Discards every change.
    pub fn rollback(&mut self) {
        self.changes.clear();
        self.savepoints.clear();
    }

    /// Applies the changes to the org; returns how many records changed.
    pub fn commit(&mut self) -> usize {
        let mut d = self.store.lock();
        let n = self.changes.len();
        for (k, Change::Put(r)) in self.changes.drain(..) {
            d.table_mut(r.ty).insert(k, r);
        }
        self.savepoints.clear();
        n
    }
}
