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
fflush(stdout)
exit(status)
