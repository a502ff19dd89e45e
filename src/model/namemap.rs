//! [`NameMap`]: the catalog's map from qualified name to object. Replay looks names up
//! hundreds of thousands of times (every reference, every name PostgreSQL would choose), so
//! lookups are hashed; everything that reads the catalog out (rules, renderers, JSON) iterates
//! in name order, from a sorted key list built once after the last change.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::catalog::QualifiedName;

/// Hashed lookups, name-ordered iteration (see the module docs). Values are boxed: the table
/// then holds a key and a pointer per slot, so its spare capacity and its rehashing stay small
/// next to objects of a few hundred bytes.
#[derive(Debug, Clone)]
pub struct NameMap<V> {
    map: FxHashMap<QualifiedName, Box<V>>,
    /// The keys in order; emptied by every insert and remove.
    order: OnceLock<Vec<QualifiedName>>,
}

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        Self {
            map: FxHashMap::default(),
            order: OnceLock::new(),
        }
    }
}

impl<V: PartialEq> PartialEq for NameMap<V> {
    fn eq(&self, other: &Self) -> bool {
        self.map == other.map
    }
}

impl<V: Eq> Eq for NameMap<V> {}

impl<V> NameMap<V> {
    #[must_use]
    pub fn get(&self, key: &QualifiedName) -> Option<&V> {
        self.map.get(key).map(|v| &**v)
    }

    #[must_use]
    pub fn get_key_value(&self, key: &QualifiedName) -> Option<(&QualifiedName, &V)> {
        self.map.get_key_value(key).map(|(k, v)| (k, &**v))
    }

    pub fn get_mut(&mut self, key: &QualifiedName) -> Option<&mut V> {
        self.map.get_mut(key).map(|v| &mut **v)
    }

    #[must_use]
    pub fn contains_key(&self, key: &QualifiedName) -> bool {
        self.map.contains_key(key)
    }

    pub fn insert(&mut self, key: QualifiedName, value: V) -> Option<V> {
        if let Some(slot) = self.map.get_mut(&key) {
            return Some(std::mem::replace(&mut **slot, value));
        }
        self.map.insert(key, Box::new(value));
        self.order.take();
        None
    }

    pub fn remove(&mut self, key: &QualifiedName) -> Option<V> {
        let old = self.map.remove(key)?;
        self.order.take();
        Some(*old)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&QualifiedName, &mut V) -> bool) {
        let before = self.map.len();
        self.map.retain(|k, v| keep(k, &mut **v));
        if self.map.len() != before {
            self.order.take();
        }
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.map.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn order(&self) -> &[QualifiedName] {
        self.order.get_or_init(|| {
            let mut keys: Vec<QualifiedName> = self.map.keys().cloned().collect();
            keys.sort_unstable();
            keys
        })
    }

    /// Entries in name order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&QualifiedName, &V)> + '_ {
        self.order().iter().filter_map(|k| self.get_key_value(k))
    }

    /// Keys in name order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &QualifiedName> + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// Values in name order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + '_ {
        self.iter().map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iterates_in_name_order_after_every_change() {
        let mut m = NameMap::default();
        for (s, n) in [("public", "b"), ("a", "z"), ("public", "a")] {
            m.insert(QualifiedName::new(s, n), n.to_string());
        }
        let order = |m: &NameMap<String>| m.keys().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(order(&m), ["a.z", "public.a", "public.b"]);
        m.remove(&QualifiedName::new("public", "a"));
        m.insert(QualifiedName::new("b", "x"), "x".into());
        assert_eq!(order(&m), ["a.z", "b.x", "public.b"]);
        m.retain(|k, _| k.schema != "b");
        assert_eq!(order(&m), ["a.z", "public.b"]);
        assert_eq!(m.values().next_back().map(String::as_str), Some("b"));
        assert_eq!(m.len(), 2);
    }
}
