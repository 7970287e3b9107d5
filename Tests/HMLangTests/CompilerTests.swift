import Testing
@testable import HMLang

struct CompilerTests {
  /// Functions live as long as their VM: keep it.
  let vm = VM(stackSlots: 1 << 12)
  func compile(_ text: String) -> Result<ClosureObject, Diagnostics> {
    vm.compile(Source(name: "t", text: text), module: vm.makeModule(name: "t", directory: nil))
  }

  @Test func loopsUseFusedCompareAndConstantOperands() throws {
    let closure = try compile("fn f(n) { var s = 0\n var i = 0\n while i < n { s = (s + i * i) % 7\n i += 1 }\n s }").get()
    let listing = Disassembler.listing(closure.proto)
    #expect(listing.contains("testLess "))
    #expect(listing.contains("moduloConstant"))
    #expect(listing.contains("addConstant"))
    // The loop body writes straight into the local's register: multiply, add, modulo.
    #expect(listing.contains("multiply                  5 3 3"))
  }

  @Test func compileErrorsAreCollected() {
    guard case .failure(let d) = compile("let a = 1\na = 2\nprint(b)\nbreak") else { Issue.record("no errors"); return }
    let messages = d.items.map(\.message)
    #expect(messages.contains { $0.contains("cannot assign to 'a'") })
    #expect(messages.contains { $0.contains("unknown name 'b'") || $0.contains("unknown name 'print'") })
    #expect(messages.contains { $0.contains("outside a loop") })
  }

  @Test func everyOpcodeIsDocumented() {
    for op in Opcode.allCases { #expect(!op.info.summary.isEmpty) }
  }
}

struct VMTests {
  func run(_ text: String) throws -> Value {
    let vm = VM(stackSlots: 1 << 16)
    switch vm.evaluate(Source(name: "t", text: text), module: vm.makeModule(name: "t", directory: nil)) {
    case .success(let v): return v
    case .failure(let d): throw d
    }
  }

  @Test func arithmeticSemantics() throws {
    #expect(try run("7 / 2").float == 3.5)
    #expect(try run("-7 // 2").int == -4)
    #expect(try run("-7 % 3").int == 2)
    #expect(try run("7 % -3").int == -2)
    #expect(try run("3 ** 4").int == 81)
    #expect(try run("-9223372036854775807 - 1").int == Int.min)
    #expect(throws: Diagnostics.self) { try run("-9223372036854775807 - 2") }
    #expect(throws: Diagnostics.self) { try run("1 // 0") }
    #expect(throws: Diagnostics.self) { try run("2 ** 64") }
  }

  @Test func closuresAndUpvalues() throws {
    #expect(try run("fn mk() { var n = 0\n fn() { n += 1\n n } }\nlet c = mk()\nc()\nc()\nc()").int == 3)
  }

  @Test func deepRecursionIsAStackOverflowError() {
    do { _ = try run("fn f(n) { f(n + 1) }\nf(0)"); Issue.record("no error") }
    catch let d as Diagnostics { #expect(d.items[0].message.contains("stack overflow")) }
    catch { Issue.record("\(error)") }
  }

  @Test func runtimeErrorCarriesLocationAndTrace() {
    do { _ = try run("fn g() { [1][3] }\nfn h() { g() }\nh()"); Issue.record("no error") }
    catch let d as Diagnostics {
      let e = d.items[0]
      #expect(e.kind == .runtime)
      #expect(e.position?.line == 1)
      #expect(e.trace.map(\.function) == ["g", "h", "<main>"])
    } catch { Issue.record("\(error)") }
  }
}
