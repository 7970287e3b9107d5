/// The instruction set: 64-bit words, `op` in bits 0–7, `A` 8–23, `B` 24–39, `C` 40–55, or a
/// signed 32-bit `Bx` in bits 32–63. Registers are frame-relative (`R(i)`), `K(i)` a constant.
/// This table is the single declaration: the disassembler and `docs/bytecode.md` come from it.
public enum Opcode: UInt8, CaseIterable, Sendable {
  case move, loadConstant, loadInt, loadNil, loadTrue, loadFalse
  case getGlobal, setGlobal, getUpvalue, setUpvalue, closure, close
  case add, subtract, multiply, divide, floorDivide, modulo, power, matmul
  case addConstant, subtractConstant, multiplyConstant, divideConstant, floorDivideConstant, moduloConstant
  case negate, not, equal, notEqual, less, lessEqual, contains
  case testEqual, testLess, testLessEqual, testLessConstant, testLessEqualConstant
  case testGreaterConstant, testGreaterEqualConstant, test
  case jump, jumpIfPresent, iterPrepare, iterNext
  case newList, newMap, newSlice, getIndex, setIndex, getIndexN, setIndexN, getField, setField
  case call, callNamed, invoke, invokeNamed, returnValue, returnNil
  case concat, makeRange, makeRangeInclusive, importModule, unpack
  case tryBegin, tryEnd
  case bitAnd, bitOr, bitXor, shiftLeft, shiftRight, bitNot
  case formatValue

  public enum Format: Sendable { case abc, abx }

  /// Operand layout and meaning; stack effects are register effects here.
  public var info: (format: Format, summary: String) {
    switch self {
    case .move: return (.abc, "R(A) = R(B)")
    case .loadConstant: return (.abx, "R(A) = K(Bx)")
    case .loadInt: return (.abx, "R(A) = Bx (a small integer)")
    case .loadNil: return (.abc, "R(A) = nil")
    case .loadTrue: return (.abc, "R(A) = true")
    case .loadFalse: return (.abc, "R(A) = false")
    case .getGlobal: return (.abx, "R(A) = module global Bx (error when unset)")
    case .setGlobal: return (.abx, "module global Bx = R(A)")
    case .getUpvalue: return (.abc, "R(A) = upvalue B")
    case .setUpvalue: return (.abc, "upvalue B = R(A)")
    case .closure: return (.abx, "R(A) = closure of nested function Bx, capturing its upvalues")
    case .close: return (.abc, "close upvalues of registers >= A")
    case .add: return (.abc, "R(A) = R(B) + R(C)")
    case .subtract: return (.abc, "R(A) = R(B) - R(C)")
    case .multiply: return (.abc, "R(A) = R(B) * R(C)")
    case .divide: return (.abc, "R(A) = R(B) / R(C) (true division)")
    case .floorDivide: return (.abc, "R(A) = R(B) // R(C)")
    case .modulo: return (.abc, "R(A) = R(B) % R(C) (sign of the divisor)")
    case .power: return (.abc, "R(A) = R(B) ** R(C)")
    case .matmul: return (.abc, "R(A) = R(B) @ R(C)")
    case .addConstant: return (.abc, "R(A) = R(B) + K(C)")
    case .subtractConstant: return (.abc, "R(A) = R(B) - K(C)")
    case .multiplyConstant: return (.abc, "R(A) = R(B) * K(C)")
    case .divideConstant: return (.abc, "R(A) = R(B) / K(C)")
    case .floorDivideConstant: return (.abc, "R(A) = R(B) // K(C)")
    case .moduloConstant: return (.abc, "R(A) = R(B) % K(C)")
    case .negate: return (.abc, "R(A) = -R(B)")
    case .not: return (.abc, "R(A) = not R(B)")
    case .equal: return (.abc, "R(A) = R(B) == R(C)")
    case .notEqual: return (.abc, "R(A) = R(B) != R(C)")
    case .less: return (.abc, "R(A) = R(B) < R(C)")
    case .lessEqual: return (.abc, "R(A) = R(B) <= R(C)")
    case .contains: return (.abc, "R(A) = R(B) in R(C)")
    case .testEqual: return (.abc, "skip the next instruction if (R(A) == R(B)) == C")
    case .testLess: return (.abc, "skip the next instruction if (R(A) < R(B)) == C")
    case .testLessEqual: return (.abc, "skip the next instruction if (R(A) <= R(B)) == C")
    case .testLessConstant: return (.abc, "skip the next instruction if R(A) < K(B)")
    case .testLessEqualConstant: return (.abc, "skip the next instruction if R(A) <= K(B)")
    case .testGreaterConstant: return (.abc, "skip the next instruction if R(A) > K(B)")
    case .testGreaterEqualConstant: return (.abc, "skip the next instruction if R(A) >= K(B)")
    case .test: return (.abc, "skip the next instruction if truthy(R(A)) == C")
    case .jump: return (.abx, "pc += Bx (a backward jump is a safepoint: interrupts, collection)")
    case .jumpIfPresent: return (.abx, "pc += Bx if argument R(A) was passed (default-value prologue)")
    case .iterPrepare: return (.abx, "R(A..A+2) = iterator state of R(A); pc += Bx")
    case .iterNext: return (.abx, "if the iterator in R(A..A+2) has a next element: R(A+3) = it, pc += Bx")
    case .newList: return (.abc, "R(A) = [R(B), ..., R(B+C-1)]")
    case .newMap: return (.abc, "R(A) = {R(B): R(B+1), ...} (C pairs)")
    case .newSlice: return (.abc, "R(A) = slice R(B):R(B+1):R(B+2)")
    case .getIndex: return (.abc, "R(A) = R(B)[R(C)]")
    case .setIndex: return (.abc, "R(A)[R(B)] = R(C)")
    case .getIndexN: return (.abc, "R(A) = R(B)[R(B+1), ..., R(B+C)]")
    case .setIndexN: return (.abc, "R(A)[R(A+1), ..., R(A+B)] = R(C)")
    case .getField: return (.abc, "R(A) = R(B).K(C)")
    case .setField: return (.abc, "R(A).K(B) = R(C)")
    case .call: return (.abc, "R(A) = R(A)(R(A+1), ..., R(A+B))")
    case .callNamed: return (.abc, "as call; the last arguments are named by the list K(C)")
    case .invoke: return (.abc, "R(A) = R(A).K(C)(R(A+1), ..., R(A+B)) (method call)")
    case .invokeNamed: return (.abc, "as invoke; K(C) = [method, names of the last arguments]")
    case .returnValue: return (.abc, "return R(A)")
    case .returnNil: return (.abc, "return nil")
    case .concat: return (.abc, "R(A) = str(R(B)) + ... + str(R(B+C-1)) (string interpolation)")
    case .makeRange: return (.abc, "R(A) = R(B)..R(C)")
    case .makeRangeInclusive: return (.abc, "R(A) = R(B)..=R(C)")
    case .importModule: return (.abx, "R(A) = the module named K(Bx), loaded once")
    case .unpack: return (.abc, "R(A), ..., R(A+C-1) = the C elements of list R(B)")
    case .tryBegin: return (.abx, "push a handler: an error below sets R(A) = its record, pc += Bx")
    case .tryEnd: return (.abc, "pop A handlers of this frame")
    case .bitAnd: return (.abc, "R(A) = R(B) & R(C) (ints; bools give a bool)")
    case .bitOr: return (.abc, "R(A) = R(B) | R(C)")
    case .bitXor: return (.abc, "R(A) = R(B) ^ R(C)")
    case .shiftLeft: return (.abc, "R(A) = R(B) << R(C) (overflow is an error)")
    case .shiftRight: return (.abc, "R(A) = R(B) >> R(C) (arithmetic)")
    case .bitNot: return (.abc, "R(A) = ~R(B)")
    case .formatValue: return (.abc, "R(A) = R(B) formatted by the function's format spec C (`{x:.3f}`)")
    }
  }
}

/// Instruction encoding and decoding.
enum Instruction {
  @inline(__always) static func make(_ op: Opcode, _ a: Int, _ b: Int = 0, _ c: Int = 0) -> UInt64 {
    UInt64(op.rawValue) | UInt64(UInt16(truncatingIfNeeded: a)) << 8
      | UInt64(UInt16(truncatingIfNeeded: b)) << 24 | UInt64(UInt16(truncatingIfNeeded: c)) << 40
  }
  @inline(__always) static func make(_ op: Opcode, _ a: Int, bx: Int) -> UInt64 {
    UInt64(op.rawValue) | UInt64(UInt16(truncatingIfNeeded: a)) << 8
      | UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: bx))) << 32
  }
  @inline(__always) static func op(_ i: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: i) }
  /// The opcode of an instruction. Invariant: only the compiler writes instructions, with
  /// valid opcodes, so the low byte is always a case (a checked init costs a switch per step).
  @inline(__always) static func opcode(_ i: UInt64) -> Opcode { unsafeBitCast(UInt8(truncatingIfNeeded: i), to: Opcode.self) }
  @inline(__always) static func a(_ i: UInt64) -> Int { Int(UInt16(truncatingIfNeeded: i >> 8)) }
  @inline(__always) static func b(_ i: UInt64) -> Int { Int(UInt16(truncatingIfNeeded: i >> 24)) }
  @inline(__always) static func c(_ i: UInt64) -> Int { Int(UInt16(truncatingIfNeeded: i >> 40)) }
  @inline(__always) static func bx(_ i: UInt64) -> Int { Int(Int32(truncatingIfNeeded: i >> 32)) }
  static func withBx(_ i: UInt64, _ bx: Int) -> UInt64 {
    (i & 0xFFFF_FFFF) | UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: bx))) << 32
  }
}

/// Human-readable bytecode: listings of compiled functions (tests) and the instruction-set
/// reference `docs/bytecode.md`.
public enum Disassembler {
  /// docs/bytecode.md, generated from this table (a test fails when it is stale).
  public static func instructionSetMarkdown() -> String {
    var out = """
      <!-- Generated from Sources/HMLang/Compiler/Opcode.swift. Do not edit: run scripts/generate. -->
      # hm bytecode

      Each instruction is a 64-bit word: the opcode in bits 0–7, `A` in bits 8–23, then either
      `B` (24–39) and `C` (40–55), or a signed 32-bit `Bx` (32–63). `R(i)` is register `i` of the
      running frame, `K(i)` constant `i` of its function. Jumps are relative to the next instruction.

      | opcode | operands | effect |
      |---|---|---|

      """
    for op in Opcode.allCases {
      let (format, summary) = op.info
      out += "| `\(op)` | \(format == .abc ? "A B C" : "A Bx") | \(summary.replacingOccurrences("|", "\\|")) |\n"
    }
    return out
  }

  public static func listing(_ proto: FunctionProto, nested: Bool = true) -> String {
    var out = "function \(proto.name) (\(proto.parameterNames.count) params, \(proto.maxRegisters) registers, \(proto.codeCount) instructions)\n"
    for pc in 0..<proto.codeCount {
      let w = proto.code[pc]
      guard let op = Opcode(rawValue: Instruction.op(w)) else { out += "  \(pc)\t<bad opcode>\n"; continue }
      let name = String(describing: op)
      let operands: String
      switch op.info.format {
      case .abc: operands = "\(Instruction.a(w)) \(Instruction.b(w)) \(Instruction.c(w))"
      case .abx: operands = "\(Instruction.a(w)) \(Instruction.bx(w))"
      }
      let line = proto.source.position(of: proto.spans[pc].start).line
      out += "  \(pc)\t[\(line)]\t\(name + String(repeating: " ", count: max(1, 26 - name.count)))\(operands)\n"
    }
    if nested { for p in proto.protos { out += listing(p) } }
    return out
  }
}
