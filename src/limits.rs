//! Memory and time bounds for code that runs hostile input: templates. minijinja's fuel
//! bounds the instructions a template runs and most of the data it makes, but an operation
//! that builds a value in one step (a list doubled by `+` until it is materialized, a huge
//! list turned into text) runs and allocates before any fuel is charged. The binaries'
//! allocator is wrapped in [`Bounded`], which counts what each thread allocates [`within`] a
//! scope, and a watchdog thread looks at the scopes' deadlines; past either bound the
//! process stops at once with a message naming what ran, instead of exhausting the machine
//! or aborting with an allocation failure.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;

/// What a template may allocate, net, while it renders.
pub const TEMPLATE_MEMORY: usize = 256 << 20;

/// How long one template may render, unless the run sets it ([`set_template_time`]).
pub const TEMPLATE_TIME: std::time::Duration = std::time::Duration::from_secs(10);

/// The time bound of a template render for this process, in milliseconds.
static TEMPLATE_MILLIS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(10_000);

/// Sets how long one template may render (`STRATA_TEMPLATE_TIMEOUT`, read at the edge).
pub fn set_template_time(limit: std::time::Duration) {
    let millis = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX).max(1);
    TEMPLATE_MILLIS.store(millis, std::sync::atomic::Ordering::Relaxed);
}

/// The largest name [`within`] keeps for its message.
const NAME: usize = 200;

thread_local! {
    /// The bound of the running scope and what it has allocated, net.
    static USED: Cell<Option<(isize, isize)>> = const { Cell::new(None) };
    /// What runs in the scope, for the message.
    static WHAT: Cell<([u8; NAME], usize)> = const { Cell::new(([0; NAME], 0)) };
}

/// An allocator that keeps the bound of [`within`].
pub struct Bounded<A>(pub A);

impl<A> Bounded<A> {
    pub const fn new(inner: A) -> Bounded<A> {
        Bounded(inner)
    }
}

/// Charges `bytes` (negative: freed) to the running scope, and stops the process past its
/// bound. Only thread-locals without destructors are touched: nothing here allocates.
fn charge(bytes: isize) {
    let Ok(Some((limit, used))) = USED.try_with(Cell::get) else {
        return;
    };
    let used = used.saturating_add(bytes);
    let _ = USED.try_with(|u| u.set(Some((limit, used))));
    if used > limit {
        stop();
    }
}

/// Stops for a scope past its memory bound.
fn stop() -> ! {
    let _ = USED.try_with(|u| u.set(None));
    let (name, len) = WHAT.try_with(Cell::get).unwrap_or(([0; NAME], 0));
    exit_with(
        &name[..len],
        b": a template made values larger than 256 MiB (the limit of one render); strata stopped\n",
    )
}

/// Writes `error: <name><why>` with a raw `write` (no allocation, no lock) and exits with 1.
fn exit_with(name: &[u8], why: &[u8]) -> ! {
    let parts: [&[u8]; 3] = [b"error: ", name, why];
    for part in parts {
        // SAFETY: writing a valid buffer to the standard error descriptor.
        unsafe {
            libc::write(2, part.as_ptr().cast(), part.len());
        }
    }
    // SAFETY: ends the process without running anything that could allocate.
    unsafe { libc::_exit(1) }
}

// SAFETY: every call is passed on to the inner allocator unchanged; only counted.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Bounded<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        charge(layout.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { self.0.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        charge(layout.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { self.0.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        charge(-(layout.size() as isize));
        // SAFETY: the caller's contract, passed on.
        unsafe { self.0.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        charge(new_size as isize - layout.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { self.0.realloc(ptr, layout, new_size) }
    }
}

/// Runs `f` with what this thread allocates bounded by `limit` bytes (net), `what` naming
/// it in the message if it goes past. Scopes do not nest: an inner scope replaces the outer
/// one until it ends. Without [`Bounded`] as the global allocator nothing is counted.
pub fn within<T>(limit: usize, what: &str, f: impl FnOnce() -> T) -> T {
    let mut name = [0u8; NAME];
    let len = what.len().min(NAME);
    name[..len].copy_from_slice(&what.as_bytes()[..len]);
    let before = USED.with(Cell::get);
    WHAT.with(|w| w.set((name, len)));
    let id = watch(&name[..len]);
    USED.with(|u| u.set(Some((isize::try_from(limit).unwrap_or(isize::MAX), 0))));
    let out = f();
    USED.with(|u| u.set(before));
    unwatch(id);
    out
}

/// A scope being watched: its id, deadline and name.
type Watched = (u64, std::time::Instant, Vec<u8>);

static WATCHED: std::sync::Mutex<Vec<Watched>> = std::sync::Mutex::new(Vec::new());

/// Puts a scope under the watchdog (started on first use), [`TEMPLATE_TIME`] from now.
fn watch(name: &[u8]) -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    static WATCHDOG: std::sync::Once = std::sync::Once::new();
    WATCHDOG.call_once(|| {
        let _ = std::thread::Builder::new()
            .name("strata-watchdog".to_string())
            .spawn(watchdog);
    });
    let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let millis = TEMPLATE_MILLIS.load(std::sync::atomic::Ordering::Relaxed);
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(millis);
    WATCHED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((id, deadline, name.to_vec()));
    id
}

fn unwatch(id: u64) {
    WATCHED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .retain(|(i, _, _)| *i != id);
}

/// Stops the process when a watched scope runs past its deadline.
fn watchdog() {
    loop {
        std::thread::sleep(std::time::Duration::from_millis(200));
        let now = std::time::Instant::now();
        let late = WATCHED
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|(_, deadline, _)| *deadline < now)
            .map(|(_, _, name)| name.clone());
        if let Some(name) = late {
            exit_with(
                &name,
                b": a template ran longer than its time limit (10 s unless STRATA_TEMPLATE_TIMEOUT says otherwise); strata stopped\n",
            );
        }
    }
}
