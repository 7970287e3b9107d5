import HMRuntime
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

// Temporary driver until the CLI lands: hmaml FILE | hmaml -e CODE
let argv = CommandLine.arguments
let hm = Interpreter(scriptDirectory: ".")
do {
  if argv.count >= 3 && argv[1] == "-e" {
    let v = try hm.evaluateRaw(argv[2], name: "<-e>")
    if !v.isNil { print(hm.display(v)) }
  } else if argv.count >= 2 {
    hm.scriptArguments = Array(argv.dropFirst(2))
    _ = try hm.runFile(argv[1])
  }
} catch {
  fflush(stdout)
  fputs(error.rendered(), stderr)
  exit(error.items.contains { $0.kind == .syntax || $0.kind == .incompleteInput || $0.kind == .compile } ? 2 : 1)
}
