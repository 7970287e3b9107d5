import Foundation
import Testing
import HMTensor
@testable import HMRL

/// The Python interpreter to check interoperability with (`HMAML_PYTHON`, default `python3`),
/// when it can import `safetensors` and `numpy`.
let pythonWithSafetensors: String? = {
  let python = ProcessInfo.processInfo.environment["HMAML_PYTHON"] ?? "/usr/bin/env"
  let args = python == "/usr/bin/env" ? ["python3", "-c", "import safetensors, numpy"] : ["-c", "import safetensors, numpy"]
  let p = Process()
  p.executableURL = URL(fileURLWithPath: python)
  p.arguments = args
  p.standardOutput = FileHandle.nullDevice
  p.standardError = FileHandle.nullDevice
  guard (try? p.run()) != nil else { return nil }
  p.waitUntilExit()
  return p.terminationStatus == 0 ? python : nil
}()

func runPython(_ python: String, _ script: String) throws -> String {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: python)
  p.arguments = (python == "/usr/bin/env" ? ["python3"] : []) + ["-c", script]
  let out = Pipe()
  p.standardOutput = out
  try p.run()
  let data = out.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  return String(decoding: data, as: UTF8.self)
}

func temporaryPath(_ name: String) -> String {
  NSTemporaryDirectory() + "hmrl-\(getpid())-\(name)"
}

@Suite struct SafetensorsTests {
  func sampleParameters() throws -> ParameterList {
    let policy = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [3])
    var rng = RandomStream(seed: 1)
    let theta = try policy.initialParameters(using: &rng)
    return try ParameterList(Array(zip(theta.names, theta.tensors))
                             + [("extra.f64", try Tensor([1.5, -2.25, .pi], shape: [3], dtype: .float64))])
  }

  @Test func roundTripKeepsNamesOrderShapesDtypesAndBits() throws {
    let theta = try sampleParameters()
    let path = temporaryPath("round.safetensors")
    defer { unlink(path) }
    try Safetensors.save(theta, to: path, metadata: ["variant": "canonical/distance", "seed": "3"])
    let (loaded, metadata) = try Safetensors.load(from: path)
    #expect(loaded.names == theta.names)
    #expect(metadata == ["variant": "canonical/distance", "seed": "3"])
    for (a, b) in zip(loaded.tensors, theta.tensors) {
      #expect(a.shape == b.shape && a.dtype == b.dtype && a.toArray() == b.toArray())
    }
    let bytes = try Safetensors.encode(theta)
    let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
    #expect(headerLength % 8 == 0)
  }

  @Test func badFilesAreClearErrors() throws {
    let good = try Safetensors.encode(try sampleParameters())
    expectRLError(.invalidArgument, containing: "fewer than the 8-byte") { try Safetensors.decode([1, 2]) }
    var long = good
    long[3] = 0x7F
    expectRLError(.invalidArgument, containing: "runs past the end") { try Safetensors.decode(long) }
    expectRLError(.invalidArgument, containing: "end within 96 data bytes") {
      try Safetensors.decode(Array(good.dropLast(4)))
    }
    let garbage: [UInt8] = [4, 0, 0, 0, 0, 0, 0, 0] + Array("{no}".utf8)
    expectRLError(.invalidArgument, containing: "not valid safetensors JSON") { try Safetensors.decode(garbage) }
    let header = Array(#"{"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#.utf8)
    let i64 = [UInt8(header.count), 0, 0, 0, 0, 0, 0, 0] + header + [UInt8](repeating: 0, count: 8)
    expectRLError(.invalidArgument, containing: "only F32 and F64") { try Safetensors.decode(i64) }
    let gap = Array(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#.utf8)
    expectRLError(.invalidArgument, containing: "expected to start at 0") {
      try Safetensors.decode([UInt8(gap.count), 0, 0, 0, 0, 0, 0, 0] + gap + [UInt8](repeating: 0, count: 8))
    }
    let short = Array(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#.utf8)
    expectRLError(.invalidArgument, containing: "needs 12 bytes, its range holds 8") {
      try Safetensors.decode([UInt8(short.count), 0, 0, 0, 0, 0, 0, 0] + short + [UInt8](repeating: 0, count: 8))
    }
    expectRLError(.invalidArgument, containing: "cannot open") { try Safetensors.load(from: "/nonexistent/x.safetensors") }
    // Folders are created as needed, so a path under a regular file is what cannot be written.
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("hm-st-\(getpid())").path
    FileManager.default.createFile(atPath: file, contents: Data([1]))
    defer { try? FileManager.default.removeItem(atPath: file) }
    expectRLError(.invalidArgument, containing: "cannot create") {
      try Safetensors.save(try sampleParameters(), to: file + "/x.safetensors")
    }
    let nested = FileManager.default.temporaryDirectory.appendingPathComponent("hm-st-dir-\(getpid())/a/b").path
    defer { try? FileManager.default.removeItem(atPath: FileManager.default.temporaryDirectory.appendingPathComponent("hm-st-dir-\(getpid())").path) }
    try Safetensors.save(try sampleParameters(), to: nested + "/x.safetensors")
    #expect(try Safetensors.load(from: nested + "/x.safetensors").parameters.names == (try sampleParameters()).names)
  }

  @Test(.enabled(if: pythonWithSafetensors != nil,
                 "Python's safetensors and numpy are not importable (pip install safetensors numpy, or set HMAML_PYTHON)"))
  func pythonSafetensorsReadsAndWritesOurFiles() throws {
    guard let python = pythonWithSafetensors else { return }
    let theta = try sampleParameters()
    let path = temporaryPath("py.safetensors"), back = temporaryPath("py-back.safetensors")
    defer { unlink(path); unlink(back) }
    try Safetensors.save(theta, to: path, metadata: ["seed": "3"])
    let out = try runPython(python, """
      from safetensors.numpy import load_file, save_file
      from safetensors import safe_open
      d = load_file("\(path)")
      with safe_open("\(path)", "np") as f: meta = f.metadata()
      print(meta["seed"], d["extra.f64"].dtype, list(d["layer1.weight"].shape), repr(float(d["layer1.weight"][1, 2])))
      save_file({"a": d["layer1.weight"] * 2, "b": d["extra.f64"]}, "\(back)")
      """)
    let w = theta["layer1.weight"]?.toFloatArray() ?? []
    #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "3 float64 [2, 3] \(Double(w[5]))")
    let (loaded, _) = try Safetensors.load(from: back)
    #expect(Set(loaded.names) == ["a", "b"])
    #expect(loaded["a"]?.toFloatArray() == w.map { $0 * 2 })
    #expect(loaded["b"]?.toArray() == [1.5, -2.25, .pi])
  }
}
