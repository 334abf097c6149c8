//! Work over independent items on every core, in order: profiles to parse, plan and render,
//! files to write. A panicking worker is an internal error (exit 2), never a usage error.

use crate::error::{Error, Result};

/// The number of workers for `n` items: the cores, at most `max`, at most one per item.
fn workers(n: usize, max: usize) -> usize {
    // A fact of the machine, read once (it reads the cgroup's files each time it is asked).
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |c| c.get()));
    cores.clamp(1, max).min(n.max(1))
}

/// `f` over every item, on up to `max` threads, results in the items' order. `what` names
/// the work in the error a panic becomes.
pub fn map<'a, T, R, F>(items: &'a [T], max: usize, what: &str, f: F) -> Result<Vec<R>>
where
    T: Sync,
    R: Send,
    F: Fn(&'a T) -> R + Sync,
{
    let workers = workers(items.len(), max);
    if workers <= 1 || items.len() < 2 {
        return Ok(items.iter().map(&f).collect());
    }
    let chunk = items.len().div_ceil(workers);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for h in handles {
            out.extend(h.join().map_err(|_| Error::panicked(what))?);
        }
        Ok(out)
    })
}

/// `f` over every item on `workers` threads that each take the next item when done (for
/// work of uneven length, such as runs of another program), results in the items' order.
pub fn pool<'a, T, R, F>(items: &'a [T], workers: usize, what: &str, f: F) -> Result<Vec<R>>
where
    T: Sync,
    R: Send,
    F: Fn(&'a T) -> R + Sync,
{
    let workers = workers.clamp(1, items.len().max(1));
    if workers <= 1 {
        return Ok(items.iter().map(&f).collect());
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (f, next) = (&f, &next);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            return done;
                        };
                        done.push((i, f(item)));
                    }
                })
            })
            .collect();
        let mut all = Vec::with_capacity(items.len());
        for h in handles {
            all.extend(h.join().map_err(|_| Error::panicked(what))?);
        }
        all.sort_by_key(|(i, _)| *i);
        Ok(all.into_iter().map(|(_, r)| r).collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_turns_panics_into_internal_errors() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled = map(&items, 8, "a test", |i| i * 2).unwrap();
        assert_eq!(doubled, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
        assert_eq!(
            map(&[] as &[u32], 8, "a test", |i| *i).unwrap(),
            Vec::<u32>::new()
        );
        let err = map(&items, 2, "a planning", |i| {
            assert!(*i != 999, "boom");
            *i
        })
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("internal error: a planning thread panicked")
        );
        assert_eq!(err.exit_code(), 2);
        // The pool: the same order, whatever finishes first.
        let slow_first = pool(&items, 4, "a test", |i| {
            if *i < 4 {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            i * 3
        })
        .unwrap();
        assert_eq!(slow_first, (0..1000).map(|i| i * 3).collect::<Vec<_>>());
        let err = pool(&items, 3, "a render", |i| {
            assert!(*i != 500, "boom");
            *i
        })
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("internal error: a render thread panicked")
        );
    }
}
