import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Just enough PNG decoding to check a rendered figure is not blank: 8-bit RGB/RGBA,
/// non-interlaced (what rsvg-convert writes). Inflate comes from the system zlib through
/// dlopen, so the package gains no dependency; `nil` when zlib cannot be loaded.
struct PNGImage {
  var width: Int
  var height: Int
  /// RGBA bytes, row-major.
  var pixels: [UInt8]

  enum DecodeError: Error { case notPNG, unsupported(String), zlibMissing, inflateFailed(Int32), corrupt(String) }

  private typealias Uncompress = @convention(c) (
    UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>?, UnsafePointer<UInt8>?, UInt) -> Int32

  private static func uncompressFunction() -> Uncompress? {
    for name in ["libz.so.1", "libz.so", "libz.dylib", "/usr/lib/libz.dylib"] {
      if let handle = dlopen(name, RTLD_NOW), let symbol = dlsym(handle, "uncompress") {
        return unsafeBitCast(symbol, to: Uncompress.self)
      }
    }
    return nil
  }

  static var zlibAvailable: Bool { uncompressFunction() != nil }

  init(data: Data) throws {
    let bytes = [UInt8](data)
    guard bytes.count > 8, bytes[0..<8] == [137, 80, 78, 71, 13, 10, 26, 10] else { throw DecodeError.notPNG }
    func u32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
    var i = 8
    var idat: [UInt8] = []
    var w = 0, h = 0, channels = 0
    while i + 8 <= bytes.count {
      let length = u32(i)
      let type = String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self)
      let start = i + 8
      guard start + length <= bytes.count else { throw DecodeError.corrupt("chunk \(type) overruns") }
      if type == "IHDR" {
        w = u32(start); h = u32(start + 4)
        let depth = bytes[start + 8], colour = bytes[start + 9], interlace = bytes[start + 12]
        guard depth == 8, interlace == 0, colour == 6 || colour == 2 else {
          throw DecodeError.unsupported("depth \(depth) colour \(colour) interlace \(interlace)")
        }
        channels = colour == 6 ? 4 : 3
      } else if type == "IDAT" {
        idat += bytes[start..<(start + length)]
      } else if type == "IEND" {
        break
      }
      i = start + length + 4
    }
    guard w > 0, h > 0, channels > 0 else { throw DecodeError.corrupt("no IHDR") }
    guard let uncompress = Self.uncompressFunction() else { throw DecodeError.zlibMissing }
    let stride = w * channels
    var raw = [UInt8](repeating: 0, count: h * (stride + 1))
    var rawLength = UInt(raw.count)
    let status = raw.withUnsafeMutableBufferPointer { out in
      idat.withUnsafeBufferPointer { input in
        uncompress(out.baseAddress, &rawLength, input.baseAddress, UInt(input.count))
      }
    }
    guard status == 0, rawLength == UInt(raw.count) else { throw DecodeError.inflateFailed(status) }
    // Undo the per-row filters (PNG spec §9).
    var image = [UInt8](repeating: 0, count: h * stride)
    for y in 0..<h {
      let filter = raw[y * (stride + 1)]
      for x in 0..<stride {
        let v = raw[y * (stride + 1) + 1 + x]
        let a = x >= channels ? Int(image[y * stride + x - channels]) : 0
        let b = y > 0 ? Int(image[(y - 1) * stride + x]) : 0
        let c = x >= channels && y > 0 ? Int(image[(y - 1) * stride + x - channels]) : 0
        let predictor: Int
        switch filter {
        case 0: predictor = 0
        case 1: predictor = a
        case 2: predictor = b
        case 3: predictor = (a + b) / 2
        case 4:
          let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
        default: throw DecodeError.corrupt("filter \(filter)")
        }
        image[y * stride + x] = UInt8(truncatingIfNeeded: Int(v) + predictor)
      }
    }
    width = w; height = h
    if channels == 4 { pixels = image } else {
      pixels = []
      pixels.reserveCapacity(w * h * 4)
      for p in 0..<(w * h) { pixels += [image[3 * p], image[3 * p + 1], image[3 * p + 2], 255] }
    }
  }

  /// Number of distinct RGBA colours.
  var distinctColours: Int {
    var set = Set<UInt32>()
    for p in 0..<(width * height) {
      let o = 4 * p
      set.insert(UInt32(pixels[o]) << 24 | UInt32(pixels[o + 1]) << 16 | UInt32(pixels[o + 2]) << 8 | UInt32(pixels[o + 3]))
    }
    return set.count
  }

  /// Fraction of opaque pixels that are not white.
  var inkFraction: Double {
    var ink = 0
    for p in 0..<(width * height) {
      let o = 4 * p
      if pixels[o + 3] > 0 && (pixels[o] < 250 || pixels[o + 1] < 250 || pixels[o + 2] < 250) { ink += 1 }
    }
    return Double(ink) / Double(max(1, width * height))
  }
}
