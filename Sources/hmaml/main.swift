import CLibEdit
import HMTensor
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
// Tensors are allocated and freed at a high rate: keep freed memory for reuse (HMTensor).
HeapTuning.keepFreedMemoryForReuse()
let status = HMAMLCommand.main(arguments: Array(CommandLine.arguments.dropFirst()))
// _exit, not exit: every file hmaml writes is closed when written (logs, checkpoints, results),
// so only the standard streams need flushing, and exit's atexit handlers and the runtime's static
// destructors cost 6% of `hmaml -e 1` (0.15 ms of 2.6; perf stat, 300 runs).
fflush(stdout)
fflush(stderr)
_exit(status)
