import Foundation
import Testing
@testable import HMRuntime
import HMLang
import HMTensor
import HMTestSupport

/// Files generated from a single declaration must be current (scripts/generate rewrites them;
/// with HMAML_UPDATE_GENERATED=1 this test writes them instead of failing).
struct GeneratedFilesTests {
  let update = ProcessInfo.processInfo.environment["HMAML_UPDATE_GENERATED"] == "1"

  @Test func primitivesReferenceIsCurrent() throws {
    let url = TestPaths.repository.appendingPathComponent("docs/primitives.md")
    let generated = Registry.standard().markdown()
    if update { try generated.write(to: url, atomically: true, encoding: .utf8); return }
    let onDisk = try? String(contentsOf: url, encoding: .utf8)
    #expect(onDisk == generated, "docs/primitives.md is stale: run scripts/generate")
  }

  @Test func bytecodeReferenceIsCurrent() throws {
    let url = TestPaths.repository.appendingPathComponent("docs/bytecode.md")
    let generated = Disassembler.instructionSetMarkdown()
    if update { try generated.write(to: url, atomically: true, encoding: .utf8); return }
    #expect((try? String(contentsOf: url, encoding: .utf8)) == generated, "docs/bytecode.md is stale: run scripts/generate")
  }

  @Test func bundledStdlibMatchesStdlibFolder() throws {
    let dir = TestPaths.repository.appendingPathComponent("stdlib")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".hm") }
    #expect(Set(files.map { String($0.dropLast(3)) }) == Set(BundledStdlib.modules.keys),
            "stdlib/ and the bundled copy differ: run scripts/generate")
    for f in files {
      let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
      let bundled = BundledStdlib.modules[String(f.dropLast(3))] ?? ""
      #expect(bundled + "\n" == text || bundled == text, "\(f) is stale in BundledStdlib.swift: run scripts/generate")
    }
  }

  @Test func primitiveIndexIsCurrent() throws {
    let url = TestPaths.repository.appendingPathComponent("Sources/HMRuntime/Generated/PrimitiveIndex.swift")
    let generated = Registry.primitiveIndexSource()
    if update { try generated.write(to: url, atomically: true, encoding: .utf8); return }
    #expect((try? String(contentsOf: url, encoding: .utf8)) == generated,
            "Generated/PrimitiveIndex.swift is stale: run scripts/generate")
    #expect(PrimitiveIndex.researchGlobals == Registry.globals(of: Registry.researchPrimitives()))
  }

  /// Primitives built on first use may not add methods to built-in kinds (found without naming a
  /// global), nor share a global with the language's own.
  @Test func researchPrimitivesAreReachedThroughTheirGlobals() {
    let research = Registry.researchPrimitives()
    for p in research {
      if case .kind? = p.receiver { Issue.record("\(p.qualifiedName) is a method of a built-in kind") }
    }
    let language = Set(Registry.globals(of: Registry.languagePrimitives.flatMap { $0 }))
    #expect(language.isDisjoint(with: Registry.globals(of: research)))
    // Every primitive is still listed, in declaration order.
    #expect(Registry.standard().primitives.count == Registry.languagePrimitives.joined().count + research.count)
  }

  /// A native object made by an embedding's native, before any of its type's globals was named,
  /// still has its methods and operators.
  @Test func nativeObjectsBringTheirMethods() throws {
    let hm = Interpreter(output: { _ in })
    hm.define("make") { call in call.vm.makeTensor(try Tensor([1, 2, 3] as [Float], shape: [3])) }
    #expect(try hm.evaluate("let t = make()\n(t * 2).sum().item()") == .float(12))
  }

  /// The names promised before the prelude is compiled are exactly the ones it defines.
  @Test func preludeNamesAreThePreludesGlobals() throws {
    let vm = VM()
    Registry.standard().install(into: vm)
    let defined = try #require(Interpreter.loadPrelude(into: vm))
    #expect(defined == BundledStdlib.preludeNames, "run scripts/generate")
  }

  @Test func everyPrimitiveHasDocAndARunningExample() throws {
    for p in Registry.standard().primitives {
      #expect(!p.doc.isEmpty, "\(p.qualifiedName) has no doc")
      #expect(!p.example.isEmpty, "\(p.qualifiedName) has no example")
      let hm = Interpreter(output: { _ in })
      do { try hm.evaluate(p.example, name: "example of \(p.qualifiedName)") }
      catch { Issue.record("example of \(p.qualifiedName) fails:\n\(error.rendered())") }
    }
  }

  @Test func helpComesFromTheRegistry() throws {
    let hm = Interpreter(output: { _ in })
    let help = try #require(hm.help(for: "range"))
    #expect(help.contains("range(start, stop: nil, step: 1)"))
    #expect(hm.help(for: "list.append")?.contains("Adds `x` at the end") == true)
    #expect(hm.completions(for: "pri").contains("print"))
    try hm.evaluate("let xs = [1]")
    #expect(hm.completions(for: "xs.app") == ["append"])
  }
}
