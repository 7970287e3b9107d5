#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// The element type of a ``Tensor``.
///
/// `float32` is the default everywhere a dtype is not given; `float64` is used for
/// gradient checks and fixtures. Mixing the two in one operation promotes to `float64`.
public enum DType: String, Sendable, CustomStringConvertible {
  case float32
  case float64

  /// "float32" or "float64".
  public var description: String { rawValue }

  /// The result dtype of an operation on `self` and `other` (float64 wins).
  public func promoted(with other: DType) -> DType {
    self == .float64 || other == .float64 ? .float64 : .float32
  }
}

/// The scalar types a tensor can hold: `Float` and `Double`.
///
/// Kernels are generic over this protocol and specialised for both types by the optimiser;
/// the math functions are spelled out here so that each maps to the right libm entry point.
protocol TensorScalar: BinaryFloatingPoint, SIMDScalar, Sendable, Codable {
  static var dtype: DType { get }
  static func wrap(_ a: [Self]) -> Storage
  static func mathExp(_ x: Self) -> Self
  static func mathLog(_ x: Self) -> Self
  static func mathLog1p(_ x: Self) -> Self
  static func mathTanh(_ x: Self) -> Self
  static func mathPow(_ x: Self, _ y: Self) -> Self
  static func mathSin(_ x: Self) -> Self
  static func mathCos(_ x: Self) -> Self
}

extension Float: TensorScalar {
  static var dtype: DType { .float32 }
  static func wrap(_ a: [Float]) -> Storage { .float32(a) }
  @inline(__always) static func mathExp(_ x: Float) -> Float { Glibc.exp(x) }
  @inline(__always) static func mathLog(_ x: Float) -> Float { Glibc.log(x) }
  @inline(__always) static func mathLog1p(_ x: Float) -> Float { Glibc.log1p(x) }
  @inline(__always) static func mathTanh(_ x: Float) -> Float { Glibc.tanh(x) }
  @inline(__always) static func mathPow(_ x: Float, _ y: Float) -> Float { Glibc.pow(x, y) }
  @inline(__always) static func mathSin(_ x: Float) -> Float { Glibc.sin(x) }
  @inline(__always) static func mathCos(_ x: Float) -> Float { Glibc.cos(x) }
}

extension Double: TensorScalar {
  static var dtype: DType { .float64 }
  static func wrap(_ a: [Double]) -> Storage { .float64(a) }
  @inline(__always) static func mathExp(_ x: Double) -> Double { Glibc.exp(x) }
  @inline(__always) static func mathLog(_ x: Double) -> Double { Glibc.log(x) }
  @inline(__always) static func mathLog1p(_ x: Double) -> Double { Glibc.log1p(x) }
  @inline(__always) static func mathTanh(_ x: Double) -> Double { Glibc.tanh(x) }
  @inline(__always) static func mathPow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
  @inline(__always) static func mathSin(_ x: Double) -> Double { Glibc.sin(x) }
  @inline(__always) static func mathCos(_ x: Double) -> Double { Glibc.cos(x) }
}

/// Contiguous row-major element storage of one dtype.
enum Storage {
  case float32([Float])
  case float64([Double])

  var dtype: DType {
    switch self {
    case .float32: return .float32
    case .float64: return .float64
    }
  }

  var count: Int {
    switch self {
    case .float32(let a): return a.count
    case .float64(let a): return a.count
    }
  }

  /// The elements converted to `Double` (exact for both dtypes).
  var doubles: [Double] {
    switch self {
    case .float32(let a): return a.map { Double($0) }
    case .float64(let a): return a
    }
  }

  /// The storage converted to `dtype` (rounding to nearest when narrowing).
  func converted(to dtype: DType) -> Storage {
    switch (self, dtype) {
    case (.float32, .float32), (.float64, .float64): return self
    case (.float32(let a), .float64): return .float64(a.map { Double($0) })
    case (.float64(let a), .float32): return .float32(a.map { Float($0) })
    }
  }

  static func filled(_ value: Double, count: Int, dtype: DType) -> Storage {
    switch dtype {
    case .float32: return .float32([Float](repeating: Float(value), count: count))
    case .float64: return .float64([Double](repeating: value, count: count))
    }
  }

  static func from(_ values: [Double], dtype: DType) -> Storage {
    switch dtype {
    case .float32: return .float32(values.map { Float($0) })
    case .float64: return .float64(values)
    }
  }
}

/// Builds an array of `count` elements by letting `body` write every element.
///
/// - Precondition: `body` initialises all `count` elements (internal invariant of each kernel).
@inline(__always)
func makeArray<T>(count: Int, _ body: (UnsafeMutablePointer<T>) -> Void) -> [T] {
  [T](unsafeUninitializedCapacity: count) { buf, n in
    if count > 0 { body(buf.baseAddress!) }
    n = count
  }
}
