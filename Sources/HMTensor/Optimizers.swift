#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// First-order optimisers over ``ParameterList``s, and global gradient-norm clipping.
///
/// Optimisers are values holding their state (velocities, moments, step count); `step` returns
/// the updated parameters (variables again if the inputs were variables) and never records a
/// graph. Updates run elementwise in each parameter's dtype.

/// A gradient-based update rule.
public protocol Optimizer {
  /// θ ← update(θ, ∇θ). `gradients` match `parameters` in count and shapes.
  /// - Throws: `TensorError.shapeMismatch` when a gradient's shape differs from its parameter's.
  mutating func step(_ parameters: ParameterList, gradients: [Tensor]) throws -> ParameterList
}

func checkGradientShapes(_ op: String, _ p: ParameterList, _ g: [Tensor]) throws {
  guard p.count == g.count else {
    throw TensorError(.invalidArgument, op, "\(g.count) gradients for \(p.count) parameters")
  }
  for (t, gt) in zip(p.tensors, g) where t.shape != gt.shape {
    throw TensorError.shapes(op, t.shape, gt.shape, "differ (parameter and gradient)")
  }
}

/// Stochastic gradient descent with optional (heavy-ball) momentum:
/// v ← μ v + g;  θ ← θ − η v  (PyTorch's convention).
public struct SGD: Optimizer {
  /// η.
  public var learningRate: Double
  /// μ (0 = plain SGD).
  public var momentum: Double
  var velocity: [[Double]] = []

  /// SGD with learning rate η and momentum μ (0 = none).
  public init(learningRate: Double, momentum: Double = 0) {
    self.learningRate = learningRate
    self.momentum = momentum
  }

  /// One SGD step; velocities start at zero on the first call.
  /// - Throws: `TensorError.shapeMismatch` / `.invalidArgument` when gradients do not match.
  public mutating func step(_ parameters: ParameterList, gradients: [Tensor]) throws -> ParameterList {
    try checkGradientShapes("sgd", parameters, gradients)
    if velocity.isEmpty { velocity = parameters.tensors.map { [Double](repeating: 0, count: $0.count) } }
    var out: [Tensor] = []
    for (k, (p, g)) in zip(parameters.tensors, gradients).enumerated() {
      var theta = p.toArray()
      let grad = g.toArray()
      for i in theta.indices {
        velocity[k][i] = momentum * velocity[k][i] + grad[i]
        theta[i] -= learningRate * velocity[k][i]
      }
      out.append(Tensor(shape: p.shape, storage: .from(theta, dtype: p.dtype), requiresGrad: p.requiresGrad))
    }
    return try parameters.replacing(out)
  }
}

/// Adam (Kingma & Ba 2015) with bias correction, ε added to √v̂:
/// m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − η m̂ / (√v̂ + ε).
/// Moments are kept in each parameter's dtype (as JAX and PyTorch do).
public struct Adam: Optimizer {
  /// η (default 1e-3).
  public var learningRate: Double
  /// β₁ (default 0.9).
  public var beta1: Double
  /// β₂ (default 0.999).
  public var beta2: Double
  /// ε (default 1e-8).
  public var epsilon: Double
  /// Steps taken so far (t).
  public private(set) var stepCount = 0
  /// First and second moments per parameter, in the parameter's dtype.
  var moments: [(m: Storage, v: Storage)] = []

  /// Adam with the usual defaults (η = 1e-3, β₁ = 0.9, β₂ = 0.999, ε = 1e-8).
  public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
              epsilon: Double = 1e-8) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
  }

  /// One Adam step (t ← t + 1); moments start at zero on the first call.
  /// - Throws: `TensorError.shapeMismatch` / `.invalidArgument` when gradients do not match,
  ///   `.dtypeMismatch` when a parameter changed dtype between steps.
  public mutating func step(_ parameters: ParameterList, gradients: [Tensor]) throws -> ParameterList {
    try checkGradientShapes("adam", parameters, gradients)
    if moments.count != parameters.count {
      moments = parameters.tensors.map { p in
        (Storage.filled(0, count: p.count, dtype: p.dtype), Storage.filled(0, count: p.count, dtype: p.dtype))
      }
    }
    stepCount += 1
    let h = AdamHyper(beta1: beta1, beta2: beta2, learningRate: learningRate, epsilon: epsilon,
                      c1: 1 - Glibc.pow(beta1, Double(stepCount)),
                      c2: 1 - Glibc.pow(beta2, Double(stepCount)))
    var out: [Tensor] = []
    for (k, (p, g0)) in zip(parameters.tensors, gradients).enumerated() {
      let g = g0.to(p.dtype)
      let storage: Storage
      switch (p.storage, g.storage, moments[k].m, moments[k].v) {
      case (.float32(let theta), .float32(let grad), .float32(var m), .float32(var v)):
        moments[k] = (.float32([]), .float32([]))  // release the old references so m, v are unique
        let t = adamKernel(theta, grad, &m, &v, h)
        moments[k] = (.float32(m), .float32(v))
        storage = .float32(t)
      case (.float64(let theta), .float64(let grad), .float64(var m), .float64(var v)):
        moments[k] = (.float64([]), .float64([]))
        let t = adamKernel(theta, grad, &m, &v, h)
        moments[k] = (.float64(m), .float64(v))
        storage = .float64(t)
      default:
        throw TensorError(.dtypeMismatch, "adam", "parameter \(k) changed dtype between steps")
      }
      out.append(Tensor(shape: p.shape, storage: storage, requiresGrad: p.requiresGrad))
    }
    return try parameters.replacing(out)
  }
}

/// Adam's state: the step count t and the moments m, v shaped like the parameters (empty
/// before the first step). With θ it is all a run needs to continue exactly where it stopped.
public struct AdamState {
  public var stepCount: Int
  public var first: [Tensor]
  public var second: [Tensor]

  public init(stepCount: Int, first: [Tensor], second: [Tensor]) {
    self.stepCount = stepCount
    self.first = first
    self.second = second
  }
}

extension Adam {
  /// The current state, moments shaped like `parameters` (the list this optimiser steps).
  /// - Throws: `TensorError.shapeMismatch` when `parameters` is not that list's shape.
  public func state(shapedLike parameters: ParameterList) throws -> AdamState {
    guard !moments.isEmpty else { return AdamState(stepCount: stepCount, first: [], second: []) }
    guard moments.count == parameters.count,
          zip(moments, parameters.tensors).allSatisfy({ $0.m.count == $1.count && $0.v.count == $1.count }) else {
      throw TensorError(.shapeMismatch, "adam.state", "the moments do not have the parameters' shapes")
    }
    let tensors = parameters.tensors
    return AdamState(stepCount: stepCount,
                     first: zip(moments, tensors).map { Tensor(shape: $1.shape, storage: $0.m, requiresGrad: false) },
                     second: zip(moments, tensors).map { Tensor(shape: $1.shape, storage: $0.v, requiresGrad: false) })
  }

  /// Continues from `state` (as saved by ``state(shapedLike:)``).
  /// - Throws: `TensorError.invalidArgument` for a negative step count, mismatched moment
  ///   lists or non-finite moments.
  public mutating func restore(_ state: AdamState) throws {
    guard state.stepCount >= 0, state.first.count == state.second.count,
          zip(state.first, state.second).allSatisfy({ $0.shape == $1.shape && $0.dtype == $1.dtype }),
          state.stepCount > 0 || state.first.isEmpty else {
      throw TensorError(.invalidArgument, "adam.restore", "inconsistent state: step \(state.stepCount), \(state.first.count) first and \(state.second.count) second moments")
    }
    guard (state.first + state.second).allSatisfy({ $0.toArray().allSatisfy(\.isFinite) }) else {
      throw TensorError(.invalidArgument, "adam.restore", "the moments are not finite")
    }
    stepCount = state.stepCount
    moments = zip(state.first, state.second).map { ($0.detached().storage, $1.detached().storage) }
  }
}

struct AdamHyper {
  var beta1, beta2, learningRate, epsilon, c1, c2: Double
}

/// One Adam update of `theta` in the scalar type T; updates the moments in place.
func adamKernel<T: TensorScalar>(_ theta: [T], _ grad: [T], _ m: inout [T], _ v: inout [T],
                                 _ h: AdamHyper) -> [T] {
  let b1 = T(h.beta1), b2 = T(h.beta2), lr = T(h.learningRate), eps = T(h.epsilon)
  let c1 = T(h.c1), c2 = T(h.c2)
  let n = theta.count
  return m.withUnsafeMutableBufferPointer { mb in
    v.withUnsafeMutableBufferPointer { vb in
      theta.withUnsafeBufferPointer { tb in
        grad.withUnsafeBufferPointer { gb in
          makeArray(count: n) { (out: UnsafeMutablePointer<T>) in
            let pm = mb.baseAddress!, pv = vb.baseAddress!, pt = tb.baseAddress!, pg = gb.baseAddress!
            // NOTE: written with SIMD8 by hand; the scalar loop did not vectorise (sqrt and
            // three divisions per element dominated the outer step).
            typealias V = SIMD8<T>
            let w = V.scalarCount
            var i = 0
            while i + w <= n {
              let gi = UnsafeRawPointer(pg + i).loadUnaligned(as: V.self)
              let mi = b1 * UnsafeRawPointer(pm + i).loadUnaligned(as: V.self) + (1 - b1) * gi
              let vi = b2 * UnsafeRawPointer(pv + i).loadUnaligned(as: V.self) + (1 - b2) * gi * gi
              UnsafeMutableRawPointer(pm + i).storeBytes(of: mi, as: V.self)
              UnsafeMutableRawPointer(pv + i).storeBytes(of: vi, as: V.self)
              let ti = UnsafeRawPointer(pt + i).loadUnaligned(as: V.self)
              let step = lr * (mi / c1) / ((vi / c2).squareRoot() + eps)
              UnsafeMutableRawPointer(out + i).storeBytes(of: ti - step, as: V.self)
              i += w
            }
            for i in i..<n {
              let gi = pg[i]
              let mi = b1 * pm[i] + (1 - b1) * gi
              let vi = b2 * pv[i] + (1 - b2) * gi * gi
              pm[i] = mi
              pv[i] = vi
              out[i] = pt[i] - lr * (mi / c1) / ((vi / c2).squareRoot() + eps)
            }
          }
        }
      }
    }
  }
}

/// The global L2 norm of all gradients, and the gradients scaled by
/// `min(1, maxNorm / (norm + 1e-6))` (PyTorch's `clip_grad_norm_`). Non-finite norms are
/// returned unscaled so the caller can see them.
/// - Throws: `TensorError.invalidArgument` when `maxNorm` is not positive.
public func clipGradientNorm(_ gradients: [Tensor], maxNorm: Double) throws -> (gradients: [Tensor], norm: Double) {
  guard maxNorm > 0 else {
    throw TensorError(.invalidArgument, "clipGradientNorm", "maxNorm \(maxNorm) is not positive")
  }
  var sq = 0.0
  for g in gradients { for x in g.toArray() { sq += x * x } }
  let norm = sq.squareRoot()
  guard norm.isFinite, norm > maxNorm else { return (gradients.map { $0.detached() }, norm) }
  let scale = maxNorm / (norm + 1e-6)
  return (gradients.map { $0.detached() * scale }, norm)
}
