/// Elementwise math: exp, log, tanh, sigmoid, relu, softplus, sqrt, abs, clamp, sign, where.
/// Each primitive's derivative is written with tensor ops, so it can be differentiated again.
/// IEEE semantics throughout: log(0) = -inf, log(-1) = NaN, sqrt(-1) = NaN; NaN propagates.

extension Tensor {
  func unaryStorage(_ op: UnaryOp) -> Storage {
    switch storage {
    case .float32(let a): return .float32(unaryKernel(op, a))
    case .float64(let a): return .float64(unaryKernel(op, a))
    }
  }

  @inline(__always)
  func unary(_ op: UnaryOp, _ name: String, _ vjp: @escaping VJP) -> Tensor {
    Tensor.record(unaryStorage(op), shape, name, [self], vjp)
  }

  /// A constant (non-differentiable) elementwise function of this tensor's values.
  func constantUnary(_ op: UnaryOp) -> Tensor {
    Tensor(shape: shape, storage: unaryStorage(op))
  }

  /// eˣ elementwise.
  public func exp() -> Tensor { unary(.exp, "exp") { c in [try c.grad * c.output] } }

  /// Natural logarithm elementwise (log 0 = -inf, log of a negative = NaN).
  public func log() -> Tensor { unary(.log, "log") { c in [try c.grad / c.inputs[0]] } }

  /// Hyperbolic tangent elementwise.
  public func tanh() -> Tensor {
    unary(.tanh, "tanh") { c in [try c.grad * (1 - c.output * c.output)] }
  }

  /// The logistic function 1/(1+e⁻ˣ), computed without overflow for large |x|.
  public func sigmoid() -> Tensor {
    unary(.sigmoid, "sigmoid") { c in [try c.grad * (c.output * (1 - c.output))] }
  }

  /// max(x, 0) elementwise; its derivative is taken as 0 at x = 0 (as JAX and PyTorch).
  public func relu() -> Tensor {
    unary(.relu, "relu") { c in
      [Tensor.binaryPrepared(.passWherePositive, "relu_grad", c.grad, c.inputs[0].detached(), c.grad.shape)]
    }
  }

  /// sin x elementwise (radians).
  public func sin() -> Tensor { unary(.sin, "sin") { c in [try c.grad * c.inputs[0].cos()] } }

  /// cos x elementwise (radians).
  public func cos() -> Tensor { unary(.cos, "cos") { c in [try c.grad * -c.inputs[0].sin()] } }

  /// log(1 + eˣ) elementwise, computed stably as max(x, 0) + log1p(e^-|x|).
  public func softplus() -> Tensor {
    unary(.softplus, "softplus") { c in [try c.grad * c.inputs[0].sigmoid()] }
  }

  /// √x elementwise (NaN for negatives; derivative +inf at 0).
  public func sqrt() -> Tensor {
    unary(.sqrt, "sqrt") { c in [try c.grad * (0.5 / c.output)] }
  }

  /// |x| elementwise; the derivative is sign(x), 0 at 0.
  public func abs() -> Tensor {
    unary(.abs, "abs") { c in [try c.grad * c.inputs[0].constantUnary(.sign)] }
  }

  /// x² elementwise.
  public func square() -> Tensor {
    unary(.square, "square") { c in [try c.grad * (2 * c.inputs[0])] }
  }

  /// The sign of each element: -1, 0 or 1 (NaN stays NaN). Not differentiable (a constant).
  public func sign() -> Tensor { constantUnary(.sign) }

  /// 1 where the element is finite, else 0 (a constant).
  public func isFinite() -> Tensor { constantUnary(.finiteMask) }

  /// Each element limited to `[min, max]` (NaN stays NaN). The gradient passes where
  /// `min ≤ x ≤ max` and is 0 outside.
  ///
  /// - Throws: `TensorError.invalidArgument` when `min > max` or a bound is NaN.
  public func clamp(min lo: Double = -.infinity, max hi: Double = .infinity) throws -> Tensor {
    guard !lo.isNaN, !hi.isNaN, lo <= hi else {
      throw TensorError(.invalidArgument, "clamp", "min \(lo) is greater than max \(hi)")
    }
    return unary(.clamp(lo, hi), "clamp") { c in
      [try c.grad * c.inputs[0].constantUnary(.insideMask(lo, hi))]
    }
  }

  /// Elementwise selection: `a` where `condition` is non-zero, else `b`, with all three
  /// broadcast together (numpy's `where`). Unselected values never leak into the result or
  /// the gradient, so `where(x > 0, log(x), 0)` is safe.
  ///
  /// - Throws: `TensorError.shapeMismatch` when the three shapes cannot broadcast.
  public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
    guard let s1 = Shape.broadcast(condition.shape, a.shape), let shape = Shape.broadcast(s1, b.shape) else {
      throw TensorError(.shapeMismatch, "where",
                        "shapes \(condition.shape), \(a.shape) and \(b.shape) cannot broadcast")
    }
    let (x, y, _) = try prepare("where", a, b)
    let dtype = x.dtype
    let mask = try condition.to(dtype).detached().broadcast(to: shape).notEqual(Tensor(scalar: 0, dtype: dtype))
    let xs = try x.broadcast(to: shape), ys = try y.broadcast(to: shape)
    return selectPrepared(mask, xs, ys)
  }

  /// `mask ? a : b` on tensors of one shape and dtype with a 0/1 mask.
  static func selectPrepared(_ mask: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    let storage: Storage
    switch (mask.storage, a.storage, b.storage) {
    case (.float32(let m), .float32(let x), .float32(let y)):
      storage = .float32(selectKernel(m, x, y))
    case (.float64(let m), .float64(let x), .float64(let y)):
      storage = .float64(selectKernel(m, x, y))
    default:
      preconditionFailure("select on unpromoted dtypes")
    }
    return record(storage, a.shape, "where", [a, b]) { c in
      let zero = Tensor.zeros(like: c.grad)
      return [c.needs[0] ? selectPrepared(mask, c.grad, zero) : nil,
              c.needs[1] ? selectPrepared(mask, zero, c.grad) : nil]
    }
  }
}

func selectKernel<T: TensorScalar>(_ m: [T], _ a: [T], _ b: [T]) -> [T] {
  makeArray(count: m.count) { (o: UnsafeMutablePointer<T>) in
    for i in 0..<m.count { o[i] = m[i] != 0 ? a[i] : b[i] }
  }
}
