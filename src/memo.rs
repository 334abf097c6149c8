//! Caches that belong to a run. A room that keeps something for the rest of a run (compiled
//! templates, what rendered files are) keeps it here, in a value the run carries, instead
//! of a static: a long-lived process (the Terraform provider) drops it with the run, and
//! rooms below the one that owns a cache can carry it without knowing its type.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One value of each cache type, made on first use. Clones share the caches.
#[derive(Clone, Default)]
pub struct Memo {
    slots: Arc<Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>>,
}

impl Memo {
    /// The run's `T`, made with `T::default()` the first time it is asked for.
    pub fn get<T: Any + Default + Send + Sync>(&self) -> Arc<T> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let slot = slots
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()));
        Arc::clone(slot)
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("a slot holds the type it is keyed by"))
    }
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn one_value_per_type_shared_by_clones() {
        let memo = Memo::default();
        memo.get::<AtomicUsize>().fetch_add(2, Ordering::Relaxed);
        let other = memo.clone();
        assert_eq!(other.get::<AtomicUsize>().load(Ordering::Relaxed), 2);
        assert_eq!(*memo.get::<String>(), "");
        assert_eq!(
            Memo::default().get::<AtomicUsize>().load(Ordering::Relaxed),
            0
        );
    }
}
