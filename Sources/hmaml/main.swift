import CLibEdit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#endif
#if canImport(Glibc)
import Glibc
#endif

// Line editing and display widths follow the user's locale (UTF-8 input in libedit).
setlocale(LC_ALL, "")
// NOTE: tensors are allocated and freed at a high rate on the evaluation thread; by default
// glibc grows and trims that thread's arena with an mprotect per step (121k calls, 0.3 s of
// system time in scripts/demo.hm). One arena with 64 MiB of top padding removes most of it.
hm_tune_allocator()
let status = HMAMLCommand.main(arguments: Array(CommandLine.arguments.dropFirst()))
fflush(stdout)
exit(status)
