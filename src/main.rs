// A run allocates many small, short-lived values on every core (parsed profiles, locks):
// mimalloc keeps that off the hot path. Its `no_thp` build keeps each thread's first
// allocation from faulting in (and zeroing) a 2 MiB huge page, which cost a one-profile
// `lock` about a millisecond.
// It is wrapped to bound what a template may allocate (strata::limits).
#[global_allocator]
static ALLOC: strata::limits::Bounded<mimalloc::MiMalloc> =
    strata::limits::Bounded::new(mimalloc::MiMalloc);

fn main() {
    strata::exit_now(strata::run())
}
