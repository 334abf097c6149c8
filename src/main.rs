fn main() -> std::process::ExitCode {
    strata::main()
}
