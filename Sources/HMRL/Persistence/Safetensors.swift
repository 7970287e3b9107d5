#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import HMPlot
import HMTensor

/// Parameter lists as safetensors files (huggingface/safetensors), readable by PyTorch's,
/// JAX's and NumPy's `safetensors` loaders.
///
/// Format: an 8-byte little-endian header length N, N bytes of JSON
/// `{"name": {"dtype": "F32"|"F64", "shape": [...], "data_offsets": [begin, end]}, ...,
/// "__metadata__": {"key": "value"}}`, then the tensors' raw little-endian bytes, in the
/// parameter list's order (offsets relative to the end of the header). The header is padded
/// with spaces to a multiple of 8 bytes, as the reference writer does. On load the order of
/// the data offsets gives back the list's order.
public enum Safetensors {
  /// The largest header accepted (100 MB, the reference implementation's limit).
  public static let maximumHeaderSize = 100_000_000

  /// The file's bytes for `parameters` and string `metadata`.
  /// - Throws: `RLError` naming `saveSafetensors` for an empty list or a name that is empty or
  ///   `__metadata__`.
  public static func encode(_ parameters: ParameterList, metadata: [String: String] = [:]) throws -> [UInt8] {
    let op = "saveSafetensors"
    var entries: [String] = []
    var data: [UInt8] = []
    for (name, tensor) in parameters {
      guard !name.isEmpty, name != "__metadata__" else {
        throw RLError(.invalidArgument, op, "parameter name \"\(name)\" is not allowed")
      }
      let begin = data.count
      switch tensor.dtype {
      case .float32:
        for v in tensor.toFloatArray() { appendLittleEndian(v.bitPattern, to: &data) }
      case .float64:
        for v in tensor.toArray() { appendLittleEndian(v.bitPattern, to: &data) }
      }
      let dtype = tensor.dtype == .float32 ? "F32" : "F64"
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      entries.append("\(jsonString(name)):{\"dtype\":\"\(dtype)\",\"shape\":[\(shape)],\"data_offsets\":[\(begin),\(data.count)]}")
    }
    if !metadata.isEmpty {
      let fields = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
      entries.insert("\"__metadata__\":{\(fields.joined(separator: ","))}", at: 0)
    }
    var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
    while header.count % 8 != 0 { header.append(0x20) }
    var out: [UInt8] = []
    out.reserveCapacity(8 + header.count + data.count)
    appendLittleEndian(UInt64(header.count), to: &out)
    out += header
    out += data
    return out
  }

  /// The parameters and metadata held by `bytes`.
  /// - Throws: `RLError` (`.invalidArgument`) naming `loadSafetensors` and saying what is wrong:
  ///   a truncated file, a header length past the end, a header that is not JSON or lacks a
  ///   field, an unsupported dtype, a shape that does not match its byte range, ranges that
  ///   overlap, leave gaps or run past the end.
  public static func decode(_ bytes: [UInt8]) throws -> (parameters: ParameterList, metadata: [String: String]) {
    let op = "loadSafetensors"
    guard bytes.count >= 8 else {
      throw RLError(.invalidArgument, op, "file has \(bytes.count) bytes, fewer than the 8-byte header length")
    }
    var n: UInt64 = 0
    for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    guard n <= UInt64(maximumHeaderSize), Int(n) <= bytes.count - 8 else {
      throw RLError(.invalidArgument, op, "header length \(n) runs past the end of a \(bytes.count)-byte file")
    }
    let headerEnd = 8 + Int(n)
    let header: SafetensorsHeader
    do {
      header = try JSONDecoder().decode(SafetensorsHeader.self, from: Data(bytes[8..<headerEnd]))
    } catch let e as RLError {
      throw e
    } catch {
      throw RLError(.invalidArgument, op, "header is not valid safetensors JSON (\(error))")
    }
    let dataSize = bytes.count - headerEnd
    var expectedBegin = 0
    var pairs: [(String, Tensor)] = []
    for (name, entry) in header.entries.sorted(by: { ($0.1.dataOffsets.first ?? 0) < ($1.1.dataOffsets.first ?? 0) }) {
      let width: Int
      switch entry.dtype {
      case "F32": width = 4
      case "F64": width = 8
      default: throw RLError(.invalidArgument, op, "tensor \"\(name)\" has dtype \(entry.dtype); only F32 and F64 are supported")
      }
      guard entry.dataOffsets.count == 2, entry.shape.allSatisfy({ $0 >= 0 && $0 <= 1 << 40 }) else {
        throw RLError(.invalidArgument, op, "tensor \"\(name)\" has a malformed shape \(entry.shape) or data_offsets \(entry.dataOffsets)")
      }
      let (begin, end) = (entry.dataOffsets[0], entry.dataOffsets[1])
      guard begin == expectedBegin, end >= begin, end <= dataSize else {
        throw RLError(.invalidArgument, op, "tensor \"\(name)\" has data_offsets [\(begin), \(end)]: expected to start at \(expectedBegin) and end within \(dataSize) data bytes")
      }
      var count = 1
      for d in entry.shape {
        let (p, overflow) = count.multipliedReportingOverflow(by: d)
        guard !overflow else { throw RLError(.invalidArgument, op, "tensor \"\(name)\" has too many elements") }
        count = p
      }
      let (bytesNeeded, tooBig) = count.multipliedReportingOverflow(by: width)
      guard !tooBig, bytesNeeded == end - begin else {
        throw RLError(.invalidArgument, op, "tensor \"\(name)\" of shape \(entry.shape) needs \(count * width) bytes, its range holds \(end - begin)")
      }
      let base = headerEnd + begin
      let tensor: Tensor
      if width == 4 {
        let values = (0..<count).map { Float(bitPattern: readLittleEndian(bytes, base + 4 * $0, UInt32.self)) }
        tensor = try Tensor(values, shape: entry.shape)
      } else {
        let values = (0..<count).map { Double(bitPattern: readLittleEndian(bytes, base + 8 * $0, UInt64.self)) }
        tensor = try Tensor(values, shape: entry.shape, dtype: .float64)
      }
      pairs.append((name, tensor))
      expectedBegin = end
    }
    guard expectedBegin == dataSize else {
      throw RLError(.invalidArgument, op, "the tensors cover \(expectedBegin) of \(dataSize) data bytes")
    }
    guard !pairs.isEmpty else { throw RLError(.invalidArgument, op, "the file holds no tensors") }
    do {
      return (try ParameterList(pairs), header.metadata)
    } catch {
      throw RLError(.invalidArgument, op, "\(error)")
    }
  }

  /// Writes `parameters` to `path` atomically (creating its folders): the bytes go to a temporary file in the same
  /// folder, flushed, then renamed over `path`, so a reader never sees a half-written file.
  /// - Throws: `RLError` naming `saveSafetensors` when the file cannot be written.
  public static func save(_ parameters: ParameterList, to path: String, metadata: [String: String] = [:]) throws {
    try writeAtomically(try encode(parameters, metadata: metadata), to: path, operation: "saveSafetensors")
  }

  /// Reads and validates the parameter list at `path`.
  /// - Throws: `RLError` naming `loadSafetensors` when the file cannot be read or is invalid.
  public static func load(from path: String) throws -> (parameters: ParameterList, metadata: [String: String]) {
    do {
      return try decode(try readFile(path, operation: "loadSafetensors"))
    } catch let e as RLError {
      throw RLError(e.kind, e.operation, "\(path): \(e.message)")
    }
  }
}

/// The decoded JSON header: tensor entries and the optional `__metadata__` map.
struct SafetensorsHeader: Decodable {
  struct Entry: Decodable {
    let dtype: String
    let shape: [Int]
    let dataOffsets: [Int]
    enum CodingKeys: String, CodingKey { case dtype, shape, dataOffsets = "data_offsets" }
  }

  struct Key: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  var entries: [(String, Entry)] = []
  var metadata: [String: String] = [:]

  init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: Key.self)
    for key in c.allKeys {
      if key.stringValue == "__metadata__" {
        metadata = try c.decode([String: String].self, forKey: key)
      } else {
        entries.append((key.stringValue, try c.decode(Entry.self, forKey: key)))
      }
    }
  }
}

func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
  var v = value.littleEndian
  withUnsafeBytes(of: &v) { bytes += $0 }
}

func readLittleEndian<T: FixedWidthInteger>(_ bytes: [UInt8], _ offset: Int, _: T.Type) -> T {
  var v: T = 0
  for i in 0..<MemoryLayout<T>.size { v |= T(bytes[offset + i]) << (8 * i) }
  return v
}

/// `s` as a JSON string literal.
func jsonString(_ s: String) -> String { JSONText.quoted(s) }

/// The bytes of the file at `path`.
/// - Throws: `RLError` naming `operation` with the system's reason.
func readFile(_ path: String, operation: String) throws -> [UInt8] {
  guard let f = fopen(path, "rb") else {
    throw RLError(.invalidArgument, operation, "cannot open \(path): \(String(cString: strerror(errno)))")
  }
  defer { fclose(f) }
  var out: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 1 << 16)
  while true {
    let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
    if n > 0 { out += chunk[0..<n] }
    if n < chunk.count {
      if ferror(f) != 0 { throw RLError(.invalidArgument, operation, "cannot read \(path)") }
      break
    }
  }
  return out
}

/// Writes `bytes` to a temporary file next to `path`, flushes it to disk and renames it over
/// `path` (atomic on POSIX file systems).
/// - Throws: `RLError` naming `operation` with the system's reason; the temporary file is removed.
func writeAtomically(_ bytes: [UInt8], to path: String, operation: String) throws {
  // The folders leading to the file are created, as `mkdir -p` (and as hm's file writers do);
  // a failure shows when the file is opened.
  var folder = ""
  for (i, part) in path.split(separator: "/", omittingEmptySubsequences: false).dropLast().enumerated() {
    folder += (i == 0 ? "" : "/") + part
    if !folder.isEmpty { _ = mkdir(folder, 0o755) }
  }
  let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
  guard let f = fopen(temporary, "wb") else {
    throw RLError(.invalidArgument, operation, "cannot create \(temporary): \(String(cString: strerror(errno)))")
  }
  let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
  let flushed = fflush(f) == 0 && fsync(fileno(f)) == 0
  fclose(f)
  guard written == bytes.count, flushed else {
    unlink(temporary)
    throw RLError(.invalidArgument, operation, "cannot write \(temporary): \(String(cString: strerror(errno)))")
  }
  guard rename(temporary, path) == 0 else {
    let reason = String(cString: strerror(errno))
    unlink(temporary)
    throw RLError(.invalidArgument, operation, "cannot rename into \(path): \(reason)")
  }
}
