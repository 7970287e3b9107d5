#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A 24-bit sRGB colour.
public struct RGB: Sendable, Hashable, CustomStringConvertible {
  public var red: UInt8
  public var green: UInt8
  public var blue: UInt8

  public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
    self.red = red; self.green = green; self.blue = blue
  }

  /// From `0xRRGGBB`.
  public init(hex: UInt32) {
    self.init(UInt8((hex >> 16) & 0xFF), UInt8((hex >> 8) & 0xFF), UInt8(hex & 0xFF))
  }

  /// `#rrggbb`, as SVG wants it.
  public var hex: String { cFormat("#%02x%02x%02x", red, green, blue) }

  public var description: String { hex }

  /// WCAG relative luminance in [0, 1] (linearised sRGB, Rec. 709 weights).
  public var relativeLuminance: Double {
    func linear(_ c: UInt8) -> Double {
      let v = Double(c) / 255
      return v <= 0.04045 ? v / 12.92 : Glibc.pow((v + 0.055) / 1.055, 2.4)
    }
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
  }

  /// The nearest entry of the xterm 256-colour palette's 6×6×6 cube or grey ramp.
  public var xterm256Index: Int {
    func level(_ c: UInt8) -> Int { c < 48 ? 0 : c < 115 ? 1 : (Int(c) - 35) / 40 }
    let r = level(red), g = level(green), b = level(blue)
    let cubeLevels = [0, 95, 135, 175, 215, 255]
    func d2(_ a: Int, _ b: UInt8) -> Int { (a - Int(b)) * (a - Int(b)) }
    let cubeDistance = d2(cubeLevels[r], red) + d2(cubeLevels[g], green) + d2(cubeLevels[b], blue)
    let mean = (Int(red) + Int(green) + Int(blue)) / 3
    let greyIndex = max(0, min(23, (mean - 3) / 10))
    let grey = 8 + 10 * greyIndex
    let greyDistance = d2(grey, red) + d2(grey, green) + d2(grey, blue)
    return greyDistance < cubeDistance ? 232 + greyIndex : 16 + 36 * r + 6 * g + b
  }
}

/// Series colours for both back-ends.
public enum Palette {
  /// Okabe & Ito (2008), "Color Universal Design": distinguishable under the common forms of
  /// colour blindness. Ordered for plots: blue, orange, bluish green, vermillion, reddish purple,
  /// sky blue, yellow (poor on white, so late), black.
  public static let okabeIto: [RGB] = [
    RGB(hex: 0x0072B2), RGB(hex: 0xE69F00), RGB(hex: 0x009E73), RGB(hex: 0xD55E00),
    RGB(hex: 0xCC79A7), RGB(hex: 0x56B4E9), RGB(hex: 0xF0E442), RGB(hex: 0x000000),
  ]

  /// The SVG colour of series `index` (cycles through `okabeIto`).
  public static func seriesColour(_ index: Int) -> RGB {
    okabeIto[((index % okabeIto.count) + okabeIto.count) % okabeIto.count]
  }

  /// The ANSI foreground codes (SGR 30–37) of terminal series, in the order UnicodePlots.jl
  /// uses: blue, red, green, magenta, yellow, cyan. The 8 basic colours work on every colour
  /// terminal and follow the user's theme.
  public static let ansiSeriesCodes: [Int] = [34, 31, 32, 35, 33, 36]

  /// The ANSI code of terminal series `index` (cycles).
  public static func ansiSeriesCode(_ index: Int) -> Int {
    ansiSeriesCodes[((index % ansiSeriesCodes.count) + ansiSeriesCodes.count) % ansiSeriesCodes.count]
  }
}

/// A sequential colour map sampled from a small table of stops, linearly interpolated in sRGB.
public struct ColourMap: Sendable, Equatable {
  /// Colours from the low end (t = 0) to the high end (t = 1); at least one.
  public let stops: [RGB]

  public init(stops: [RGB]) { self.stops = stops.isEmpty ? [RGB(0, 0, 0)] : stops }

  /// viridis (van der Walt & Smith, matplotlib 2.0): perceptually uniform, monotone in
  /// lightness, readable in grey and by colour-blind readers. 11 stops at t = 0, 0.1, …, 1.
  public static let viridis = ColourMap(stops: [
    0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C,
    0x22A884, 0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725,
  ].map { RGB(hex: $0) })

  /// The colour at `t` in [0, 1] (clamped; NaN gives the low end).
  public func colour(at t: Double) -> RGB {
    guard stops.count > 1 else { return stops[0] }
    let u = t.isNaN ? 0 : min(1, max(0, t))
    let position = u * Double(stops.count - 1)
    let i = min(stops.count - 2, Int(position))
    let f = position - Double(i)
    let a = stops[i], b = stops[i + 1]
    func mix(_ x: UInt8, _ y: UInt8) -> UInt8 {
      UInt8(max(0, min(255, (Double(x) + (Double(y) - Double(x)) * f).rounded())))
    }
    return RGB(mix(a.red, b.red), mix(a.green, b.green), mix(a.blue, b.blue))
  }

  /// The colour of `value` on a scale from `range.lowerBound` (t = 0) to `range.upperBound`.
  public func colour(for value: Double, in range: ClosedRange<Double>) -> RGB {
    let span = range.upperBound - range.lowerBound
    return colour(at: span > 0 ? (value - range.lowerBound) / span : 0.5)
  }
}
