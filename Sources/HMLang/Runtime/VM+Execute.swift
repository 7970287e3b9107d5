/// The dispatch loop. All interpreter state lives in locals of this one function (DESIGN.md §8:
/// class properties cost exclusivity checks and ARC); a frame change reloads them.
///
/// Short names, defined once: `pc` next instruction; `R` the running frame's registers;
/// `K` its constants; `G` its module's globals; `i` the current instruction word.
extension VM {
  /// Runs from the top frame until the frame at `stopDepth` returns. An error that a `try` block
  /// of these frames catches resumes at its `catch`; any other unwinds them and propagates.
  func execute(stopDepth: Int) throws(RuntimeError) -> Value {
    while true {
      do throws(RuntimeError) {
        return try dispatch(stopDepth: stopDepth)
      } catch {
        // Interrupts always reach the top: Ctrl-C must stop a script whatever it catches.
        if error.kind != .interrupted, let h = handlers.last, h.frame >= stopDepth {
          handlers.removeLast()
          let base = frames[h.frame].base
          closeUpvalues(from: base + h.register)
          frameCount = h.frame + 1
          frames[h.frame].pc = h.pc
          stack[base + h.register] = errorRecord(error)
          continue
        }
        while let h = handlers.last, h.frame >= stopDepth { handlers.removeLast() }
        closeUpvalues(from: frames[stopDepth].base)
        frameCount = stopDepth
        throw error
      }
    }
  }

  /// The loop proper: returns when the frame at `stopDepth` returns; on an error, saves the pc
  /// and the hm stack trace in the error and leaves the frames for `execute` to unwind.
  @inline(never)
  func dispatch(stopDepth: Int) throws(RuntimeError) -> Value {
    var frame = frames[frameCount - 1]
    var code = frame.proto._withUnsafeGuaranteedRef { $0.code }
    var K = frame.proto._withUnsafeGuaranteedRef { $0.constants }
    var G = frame.proto._withUnsafeGuaranteedRef { $0.module.globals }
    var R = stack + frame.base
    var pc = frame.pc
    let interrupt = interruptFlag
    // NOTE: no local functions or computed properties here: capturing the loop state in a
    // closure forces it out of registers (measured: 2× slower calls).

    do throws(RuntimeError) {
      while true {
        let i = code[pc]
        pc += 1
        let a = Instruction.a(i)
        switch Instruction.opcode(i) {
        case .move: R[a] = R[Instruction.b(i)]
        case .loadConstant: R[a] = K[Instruction.bx(i)]
        case .loadInt: R[a] = Value(Instruction.bx(i))
        case .loadNil: R[a] = .nil
        case .loadTrue: R[a] = .true
        case .loadFalse: R[a] = .false

        case .getGlobal:
          let v = G[Instruction.bx(i)]
          if v.isAbsent { throw unsetGlobal(frame.proto.takeUnretainedValue().module, Instruction.bx(i)) }
          R[a] = v
        case .setGlobal:
          G = frame.proto._withUnsafeGuaranteedRef { $0.module.globals }
          G[Instruction.bx(i)] = R[a]
        case .getUpvalue:
          R[a] = frame.closure._withUnsafeGuaranteedRef { c in
            c.upvalues[Instruction.b(i)]._withUnsafeGuaranteedRef { u in u.slot >= 0 ? stack[u.slot] : u.closed }
          }
        case .setUpvalue:
          let v = R[a]
          frame.closure._withUnsafeGuaranteedRef { c in
            c.upvalues[Instruction.b(i)]._withUnsafeGuaranteedRef { u in
              if u.slot >= 0 { stack[u.slot] = v } else { u.closed = v }
            }
          }
        case .closure:
          let child = frame.proto.takeUnretainedValue().protos[Instruction.bx(i)]
          var ups: [Unmanaged<UpvalueObject>] = []
          ups.reserveCapacity(child.upvalues.count)
          let enclosing = frame.closure.takeUnretainedValue()
          for u in child.upvalues {
            ups.append(u.fromParentRegister ? Unmanaged.passUnretained(captureUpvalue(slot: frame.base + u.index)) : enclosing.upvalues[u.index])
          }
          R[a] = heap.makeClosure(ClosureObject(proto: child, upvalues: ups))
        case .close:
          closeUpvalues(from: frame.base + a)

        case .add:
          let x = R[Instruction.b(i)], y = R[Instruction.c(i)]
          if x.tag == .int && y.tag == .int {
            let (r, o) = x.int.addingReportingOverflow(y.int)
            if o { throw overflow("+", x, y) }
            R[a] = Value(r)
          } else if x.tag == .float && y.tag == .float { R[a] = Value(x.float + y.float) }
          else if x.tag == .string && y.tag == .string {
            R[a] = x.borrow(StringObject.self) { xs in y.borrow(StringObject.self) { xs.concatenated($0, heap: heap) } }
          } else { R[a] = try arithmetic(.add, x, y) }
        case .subtract:
          let x = R[Instruction.b(i)], y = R[Instruction.c(i)]
          if x.tag == .int && y.tag == .int {
            let (r, o) = x.int.subtractingReportingOverflow(y.int)
            if o { throw overflow("-", x, y) }
            R[a] = Value(r)
          } else if x.tag == .float && y.tag == .float { R[a] = Value(x.float - y.float) }
          else { R[a] = try arithmetic(.subtract, x, y) }
        case .multiply:
          let x = R[Instruction.b(i)], y = R[Instruction.c(i)]
          if x.tag == .int && y.tag == .int {
            let (r, o) = x.int.multipliedReportingOverflow(by: y.int)
            if o { throw overflow("*", x, y) }
            R[a] = Value(r)
          } else if x.tag == .float && y.tag == .float { R[a] = Value(x.float * y.float) }
          else { R[a] = try arithmetic(.multiply, x, y) }
        case .divide: R[a] = try arithmetic(.divide, R[Instruction.b(i)], R[Instruction.c(i)])
        case .floorDivide: R[a] = try arithmetic(.floorDivide, R[Instruction.b(i)], R[Instruction.c(i)])
        case .modulo: R[a] = try arithmetic(.modulo, R[Instruction.b(i)], R[Instruction.c(i)])
        case .power: R[a] = try arithmetic(.power, R[Instruction.b(i)], R[Instruction.c(i)])
        case .matmul: R[a] = try arithmetic(.matmul, R[Instruction.b(i)], R[Instruction.c(i)])

        case .addConstant:
          let x = R[Instruction.b(i)], y = K[Instruction.c(i)]
          if x.tag == .int && y.tag == .int {
            let (r, o) = x.int.addingReportingOverflow(y.int)
            if o { throw overflow("+", x, y) }
            R[a] = Value(r)
          } else if x.tag == .float && y.tag == .float { R[a] = Value(x.float + y.float) }
          else { R[a] = try arithmetic(.add, x, y) }
        case .subtractConstant:
          let x = R[Instruction.b(i)], y = K[Instruction.c(i)]
          if x.tag == .int && y.tag == .int {
            let (r, o) = x.int.subtractingReportingOverflow(y.int)
            if o { throw overflow("-", x, y) }
            R[a] = Value(r)
          } else if x.tag == .float && y.tag == .float { R[a] = Value(x.float - y.float) }
          else { R[a] = try arithmetic(.subtract, x, y) }
        case .multiplyConstant:
          let x = R[Instruction.b(i)], y = K[Instruction.c(i)]
          if x.tag == .int && y.tag == .int {
            let (r, o) = x.int.multipliedReportingOverflow(by: y.int)
            if o { throw overflow("*", x, y) }
            R[a] = Value(r)
          } else { R[a] = try arithmetic(.multiply, x, y) }
        case .divideConstant: R[a] = try arithmetic(.divide, R[Instruction.b(i)], K[Instruction.c(i)])
        case .floorDivideConstant: R[a] = try arithmetic(.floorDivide, R[Instruction.b(i)], K[Instruction.c(i)])
        case .moduloConstant:
          let x = R[Instruction.b(i)], y = K[Instruction.c(i)]
          if x.tag == .int && y.tag == .int && y.int > 0 {
            let r = x.int % y.int
            R[a] = Value(r < 0 ? r + y.int : r)
          } else { R[a] = try arithmetic(.modulo, x, y) }

        case .negate:
          let x = R[Instruction.b(i)]
          if x.tag == .int {
            if x.int == Int.min { throw RuntimeError("integer overflow in -(\(x.int))") }
            R[a] = Value(-x.int)
          } else if x.tag == .float { R[a] = Value(-x.float) }
          else { R[a] = try negate(x) }
        case .not: R[a] = Value(!R[Instruction.b(i)].isTruthy)
        case .equal: R[a] = Value(try valuesEqual(R[Instruction.b(i)], R[Instruction.c(i)]))
        case .notEqual: R[a] = Value(!(try valuesEqual(R[Instruction.b(i)], R[Instruction.c(i)])))
        case .less: R[a] = Value(try lessThan(R[Instruction.b(i)], R[Instruction.c(i)]))
        case .lessEqual: R[a] = Value(try lessOrEqual(R[Instruction.b(i)], R[Instruction.c(i)]))
        case .contains: R[a] = Value(try contains(R[Instruction.c(i)], R[Instruction.b(i)]))

        case .testEqual:
          if try valuesEqual(R[a], R[Instruction.b(i)]) == (Instruction.c(i) != 0) { pc += 1 }
        case .testLess:
          let x = R[a], y = R[Instruction.b(i)]
          let r = x.tag == .int && y.tag == .int ? x.int < y.int : try lessThan(x, y)
          if r == (Instruction.c(i) != 0) { pc += 1 }
        case .testLessEqual:
          let x = R[a], y = R[Instruction.b(i)]
          let r = x.tag == .int && y.tag == .int ? x.int <= y.int : try lessOrEqual(x, y)
          if r == (Instruction.c(i) != 0) { pc += 1 }
        case .testLessConstant:
          let x = R[a], y = K[Instruction.b(i)]
          if x.tag == .int && y.tag == .int ? x.int < y.int : try lessThan(x, y) { pc += 1 }
        case .testLessEqualConstant:
          let x = R[a], y = K[Instruction.b(i)]
          if x.tag == .int && y.tag == .int ? x.int <= y.int : try lessOrEqual(x, y) { pc += 1 }
        case .testGreaterConstant:
          let x = R[a], y = K[Instruction.b(i)]
          if x.tag == .int && y.tag == .int ? x.int > y.int : try lessThan(y, x) { pc += 1 }
        case .testGreaterEqualConstant:
          let x = R[a], y = K[Instruction.b(i)]
          if x.tag == .int && y.tag == .int ? x.int >= y.int : try lessOrEqual(y, x) { pc += 1 }
        case .test:
          if R[a].isTruthy == (Instruction.c(i) != 0) { pc += 1 }

        case .jump:
          let offset = Instruction.bx(i)
          // The safepoint comes before the jump, so that an interrupt names the loop, not the
          // instruction before its start.
          if offset < 0 && (interrupt.pointee != 0 || heap.collectionRequested) {
            frames[frameCount - 1].pc = pc
            try safepoint()
          }
          pc += offset
        case .jumpIfPresent:
          if !R[a].isAbsent { pc += Instruction.bx(i) }

        case .iterPrepare:
          try prepareIteration(R + a)
          pc += Instruction.bx(i)
        case .iterNext:
          let s = R[a]
          var more = false
          if s.tag == .int {
            let n = s.int
            if n > 0 {
              R[a] = Value(n - 1)
              let current = R[a + 1]
              R[a + 3] = current
              R[a + 1] = Value(current.int &+ R[a + 2].int)
              more = true
            }
          } else {
            let k = R[a + 1].int
            let list = s.listObject
            if k < list.items.count {
              R[a + 3] = list.items[k]
              R[a + 1] = Value(k + 1)
              more = true
            }
          }
          if more {
            if interrupt.pointee != 0 || heap.collectionRequested {
              frames[frameCount - 1].pc = pc
              try safepoint()
            }
            pc += Instruction.bx(i)
          }

        case .newList:
          let b = Instruction.b(i), n = Instruction.c(i)
          R[a] = heap.makeList(Array(UnsafeBufferPointer(start: R + b, count: n)))
        case .newMap:
          let b = Instruction.b(i), n = Instruction.c(i)
          let m = MapObject(capacity: n)
          for j in 0..<n { try m.set(R[b + 2 * j], R[b + 2 * j + 1]) }
          R[a] = heap.makeMap(m)
        case .newSlice:
          R[a] = try makeSlice(R + Instruction.b(i))
        case .getIndex:
          frames[frameCount - 1].pc = pc
          R[a] = try getIndex(R[Instruction.b(i)], R[Instruction.c(i)])
        case .setIndex:
          try setIndex(R[a], R[Instruction.b(i)], R[Instruction.c(i)])
        case .getIndexN:
          let b = Instruction.b(i)
          R[a] = try getIndexN(R[b], Array(UnsafeBufferPointer(start: R + b + 1, count: Instruction.c(i))))
        case .setIndexN:
          try setIndexN(R[a], Array(UnsafeBufferPointer(start: R + a + 1, count: Instruction.b(i))), R[Instruction.c(i)])
        case .getField:
          frames[frameCount - 1].pc = pc
          R[a] = try getField(R[Instruction.b(i)], K[Instruction.c(i)])
        case .setField:
          try setField(R[a], K[Instruction.b(i)], R[Instruction.c(i)])

        case .call, .callNamed, .invoke, .invokeNamed:
          var callee = a
          let count = Instruction.b(i)
          var names: ListObject?
          let op = Instruction.opcode(i)
          frames[frameCount - 1].pc = pc
          if op == .invoke || op == .invokeNamed {
            let receiver = R[a]
            var methodName: Value  // an interned string constant
            if op == .invokeNamed {
              let spec = K[Instruction.c(i)].listObject
              methodName = spec.items[0]
              names = ListObject(Array(spec.items.dropFirst()))
            } else {
              methodName = K[Instruction.c(i)]
            }
            if receiver.tag == .map,
               let field = receiver.borrow(MapObject.self, { m in methodName.borrow(StringObject.self) { m.get($0) } }) {
              // A record field holding a function: call it without a receiver.
              R[a] = field
            } else {
              let method = try self.method(of: receiver, named: methodName)
              R[a] = try callNative(method, receiver: receiver, arguments: R + a + 1, count: count, names: names)
              if interrupt.pointee != 0 || heap.collectionRequested { try safepoint() }
              continue
            }
          } else if op == .callNamed {
            names = K[Instruction.c(i)].listObject
          }
          let f = R[callee]
          if f.tag == .closure {
            try enter(f.closureRef, base: frame.base + callee + 1, count: count, names: names)
            frame = frames[frameCount - 1]
            code = frame.proto._withUnsafeGuaranteedRef { $0.code }
            K = frame.proto._withUnsafeGuaranteedRef { $0.constants }
            G = frame.proto._withUnsafeGuaranteedRef { $0.module.globals }
            R = stack + frame.base; pc = 0
            if interrupt.pointee != 0 || heap.collectionRequested { try safepoint() }
          } else if f.tag == .native {
            R[callee] = try callNative(f.unmanaged(NativeFunction.self), receiver: .absent, arguments: R + callee + 1, count: count, names: names)
            if interrupt.pointee != 0 || heap.collectionRequested { try safepoint() }
          } else {
            callee = 0
            throw RuntimeError("cannot call \(f.typeNameWithArticle)" + (f.isNil ? " (is a name bound to nil?)" : ""))
          }

        case .returnValue, .returnNil:
          let result = Instruction.op(i) == Opcode.returnValue.rawValue ? R[a] : Value.nil
          if !openUpvalues.isEmpty { closeUpvalues(from: frame.base) }
          frameCount -= 1
          R[-1] = result
          if frameCount == stopDepth { return result }
          frame = frames[frameCount - 1]
          code = frame.proto._withUnsafeGuaranteedRef { $0.code }
          K = frame.proto._withUnsafeGuaranteedRef { $0.constants }
          G = frame.proto._withUnsafeGuaranteedRef { $0.module.globals }
          R = stack + frame.base; pc = frame.pc

        case .concat:
          R[a] = try concatenate(R + Instruction.b(i), count: Instruction.c(i))
        case .makeRange, .makeRangeInclusive:
          let x = R[Instruction.b(i)], y = R[Instruction.c(i)]
          guard x.tag == .int, y.tag == .int else {
            throw RuntimeError("range bounds must be ints, got \(x.typeNameWithArticle) and \(y.typeNameWithArticle)")
          }
          let inclusive = Instruction.op(i) == Opcode.makeRangeInclusive.rawValue
          if inclusive && y.int == Int.max { throw RuntimeError("range end too large") }
          R[a] = heap.makeRange(start: x.int, stop: inclusive ? y.int + 1 : y.int, step: 1)
        case .importModule:
          frames[frameCount - 1].pc = pc
          R[a] = try importModule(K[Instruction.bx(i)].string ?? "", from: frame.proto.takeUnretainedValue().module)
        case .unpack:
          let v = R[Instruction.b(i)], n = Instruction.c(i)
          let items: [Value]
          switch v.tag {
          case .list: items = v.listObject.items
          case .range: let r = v.rangeObject; items = (0..<r.count).map { Value(r.element($0)) }
          default: throw RuntimeError("cannot unpack \(v.typeNameWithArticle) into \(n) names")
          }
          guard items.count == n else {
            throw RuntimeError("cannot unpack a list of \(items.count) into \(n) names")
          }
          for j in 0..<n { R[a + j] = items[j] }

        case .tryBegin:
          handlers.append(Handler(frame: frameCount - 1, pc: pc + Instruction.bx(i), register: a))
        case .tryEnd:
          // Invariant: the compiler pops exactly the handlers this frame pushed (never a trap).
          handlers.removeLast(min(a, handlers.count))
        case .bitAnd, .bitOr, .bitXor, .shiftLeft, .shiftRight, .bitNot:
          R[a] = try bitwise(Instruction.opcode(i), R[Instruction.b(i)], R[Instruction.c(i)])
        case .formatValue:
          R[a] = try format(R[Instruction.b(i)], frame.proto._withUnsafeGuaranteedRef { $0.formatSpecs[Instruction.c(i)] })
        }
      }
    } catch {
      var e = error
      frames[frameCount - 1].pc = pc
      if e.trace == nil { e.trace = captureTrace() }
      throw e
    }
  }

  /// Collects garbage or raises `interrupted`, at a point where every live value is rooted.
  @inline(never)
  func safepoint() throws(RuntimeError) {
    if interruptFlag.pointee != 0 {
      interruptFlag.pointee = 0
      throw RuntimeError.interrupted
    }
    if heap.collectionRequested { collectGarbage() }
  }

  @inline(never)
  func overflow(_ op: String, _ x: Value, _ y: Value) -> RuntimeError {
    RuntimeError("integer overflow in \(x.int) \(op) \(y.int)",
                 notes: ["ints are 64-bit; convert an operand with float() for approximate arithmetic"])
  }

  @inline(never)
  func unsetGlobal(_ module: Module, _ slot: Int) -> RuntimeError {
    let name = slot < module.slotNames.count ? module.slotNames[slot] : "?"
    return RuntimeError("'\(name)' is used before it is defined")
  }
}
