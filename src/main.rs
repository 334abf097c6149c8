// A run allocates many small, short-lived values on every core (parsed profiles, locks):
// mimalloc keeps that off the hot path. Its `no_thp` build keeps each thread's first
// allocation from faulting in (and zeroing) a 2 MiB huge page, which cost a one-profile
// `lock` about a millisecond.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    strata::main()
}
