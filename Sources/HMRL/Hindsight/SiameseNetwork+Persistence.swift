#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HMTensor

/// f_φ as a safetensors file (``Safetensors``; PyTorch and JAX read the tensors): φ in order,
/// with string metadata
/// `format = "hmaml-siamese-network"`, `version = "1"`, `configuration` (the
/// ``SiameseConfiguration`` as JSON) and `training_steps` (so training resumed after a load
/// draws fresh minibatches), plus the caller's own keys. Adam's moments are not saved: training
/// after a load restarts them.
extension SiameseNetwork {
  /// The metadata keys the format reserves.
  static let reservedMetadataKeys: Set<String> = ["format", "version", "configuration", "training_steps"]
  static let formatTag = "hmaml-siamese-network"

  /// Writes φ and the configuration to `path` atomically (temporary file, then rename).
  /// - Throws: `RLError` naming `siamese.save` when `metadata` uses a reserved key
  ///   (`format`, `version`, `configuration`, `training_steps`), or `saveSafetensors` when the
  ///   file cannot be written.
  public func save(to path: String, metadata: [String: String] = [:]) throws {
    if let key = metadata.keys.sorted().first(where: Self.reservedMetadataKeys.contains) {
      throw RLError(.invalidArgument, "siamese.save", "metadata key \"\(key)\" is reserved by the file format")
    }
    let json: String
    do {
      json = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
    } catch {
      throw RLError(.invalidArgument, "siamese.save", "cannot encode the configuration: \(error)")
    }
    var all = metadata
    all["format"] = Self.formatTag
    all["version"] = "1"
    all["configuration"] = json
    all["training_steps"] = String(trainingSteps)
    try Safetensors.save(parameters, to: path, metadata: all)
  }

  /// Reads a network written by ``save(to:metadata:)``, validating the format tag and version,
  /// the configuration, and every parameter's name, shape and dtype against it.
  /// - Throws: `RLError` naming `loadSafetensors` for an unreadable or malformed file, or
  ///   `siamese.load` (with the path) for a file that is not a valid Siamese network.
  public static func load(from path: String) throws -> SiameseNetwork {
    let (parameters, metadata) = try Safetensors.load(from: path)
    let op = "siamese.load"
    guard metadata["format"] == formatTag, metadata["version"] == "1" else {
      throw RLError(.invalidArgument, op, "\(path): not a Siamese network file (format \(metadata["format"] ?? "missing"), version \(metadata["version"] ?? "missing"))")
    }
    let configuration: SiameseConfiguration
    do {
      configuration = try JSONDecoder().decode(SiameseConfiguration.self, from: Data((metadata["configuration"] ?? "").utf8))
    } catch {
      throw RLError(.invalidArgument, op, "\(path): the configuration is missing or invalid: \(error)")
    }
    guard let steps = Int(metadata["training_steps"] ?? ""), steps >= 0 else {
      throw RLError(.invalidArgument, op, "\(path): training_steps is missing or invalid")
    }
    do {
      var network = try SiameseNetwork(configuration: configuration, parameters: parameters)
      network.trainingSteps = steps
      return network
    } catch let e as RLError {
      throw RLError(e.kind, op, "\(path): \(e.message)")
    }
  }
}
