// A run allocates many small, short-lived values on every core (parsed profiles, locks):
// mimalloc keeps that off the hot path.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    strata::main()
}
