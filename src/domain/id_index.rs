//! Finds an id already placed in an output list by its position there, so the
//! translator does not keep a second copy of every id just to deduplicate.

use foldhash::HashMap;
use std::hash::BuildHasher;

/// id text → its index in a list the caller owns (hash → index, collisions listed).
#[derive(Default)]
pub struct IdIndex {
    hasher: foldhash::fast::RandomState,
    first: HashMap<u64, usize>,
    /// Entries whose hash was already taken by another id (practically never).
    more: Vec<(u64, usize)>,
}

impl IdIndex {
    pub fn reserve(&mut self, n: usize) {
        self.first.reserve(n);
    }

    /// The index of `id`, where `text_of(i)` is the id stored at index `i`.
    pub fn find<'s>(&self, id: &str, text_of: impl Fn(usize) -> Option<&'s str>) -> Option<usize> {
        let h = self.hasher.hash_one(id);
        let is = |i: &usize| text_of(*i) == Some(id);
        match self.first.get(&h) {
            None => None,
            Some(i) if is(i) => Some(*i),
            Some(_) => self
                .more
                .iter()
                .find(|(mh, i)| *mh == h && is(i))
                .map(|(_, i)| *i),
        }
    }

    /// Records that `id` is at index `i` (the caller checked it is not there yet).
    pub fn insert(&mut self, id: &str, i: usize) {
        let h = self.hasher.hash_one(id);
        match self.first.entry(h) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(i);
            }
            std::collections::hash_map::Entry::Occupied(_) => self.more.push((h, i)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_ids_by_their_index_and_misses_others() {
        let list = ["a", "b", "c"];
        let text = |i: usize| list.get(i).copied();
        let mut idx = IdIndex::default();
        for (i, id) in list.iter().enumerate() {
            assert_eq!(idx.find(id, text), None);
            idx.insert(id, i);
        }
        assert_eq!(idx.find("b", text), Some(1));
        assert_eq!(idx.find("c", text), Some(2));
        assert_eq!(idx.find("d", text), None);
    }

    #[test]
    fn an_id_whose_hash_slot_is_taken_is_found_in_the_overflow_list() {
        let list = ["x", "y"];
        let text = |i: usize| list.get(i).copied();
        let mut idx = IdIndex::default();
        idx.insert("x", 0);
        // A collision: "y"'s hash slot already points at "x".
        let hy = idx.hasher.hash_one("y");
        idx.first.insert(hy, 0);
        assert_eq!(idx.find("y", text), None);
        idx.insert("y", 1);
        assert_eq!(idx.more, [(hy, 1)]);
        assert_eq!(idx.find("y", text), Some(1));
        assert_eq!(idx.find("x", text), Some(0));
        assert_eq!(idx.find("z", text), None);
    }
}
