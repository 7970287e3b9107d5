import HMTensor

/// A learner's checkpoint file: one safetensors file (readable by `load_params`, PyTorch and
/// JAX) holding θ under its own names and Adam's moments under `optimizer/adam/m/<name>` and
/// `optimizer/adam/v/<name>`, with metadata `format: hmaml-learner-state`, `version: 1`,
/// `iterations_done`, `adam_step` (with Adam) and the caller's keys (learner, seed,
/// configuration). Written atomically; read with validation.
extension LearnerState {
  static let format = "hmaml-learner-state"
  static let firstMoment = "optimizer/adam/m/", secondMoment = "optimizer/adam/v/"

  /// Writes the state atomically.
  /// - Throws: `RLError` when a metadata key is reserved or the file cannot be written.
  public func save(to path: String, metadata: [String: String] = [:]) throws {
    let reserved = ["format", "version", "iterations_done", "adam_step"]
    if let key = metadata.keys.first(where: reserved.contains) {
      throw RLError(.invalidArgument, "learnerState.save", "metadata key \(key) is reserved")
    }
    var pairs = Array(zip(parameters.names, parameters.tensors))
    var meta = metadata
    meta["format"] = LearnerState.format
    meta["version"] = "1"
    meta["iterations_done"] = String(iterationsDone)
    if let adam {
      meta["adam_step"] = String(adam.stepCount)
      pairs += zip(parameters.names, adam.first).map { (LearnerState.firstMoment + $0, $1) }
      pairs += zip(parameters.names, adam.second).map { (LearnerState.secondMoment + $0, $1) }
    }
    try Safetensors.save(try ParameterList(pairs), to: path, metadata: meta)
  }

  /// Reads a state written by ``save(to:metadata:)``, with the file's metadata.
  /// - Throws: `RLError` naming the file when it is not a learner state or is inconsistent
  ///   (missing or extra moments, a bad count).
  public static func load(from path: String) throws -> (state: LearnerState, metadata: [String: String]) {
    let op = "learnerState.load"
    let (all, meta) = try Safetensors.load(from: path)
    guard meta["format"] == format, meta["version"] == "1" else {
      throw RLError(.invalidArgument, op, "\(path) is not an hmaml learner state (format \(meta["format"] ?? "none"), version \(meta["version"] ?? "none"))")
    }
    guard let done = meta["iterations_done"].flatMap({ Int($0) }), done >= 0 else {
      throw RLError(.invalidArgument, op, "\(path): iterations_done is missing or invalid")
    }
    var theta: [(String, Tensor)] = [], first: [String: Tensor] = [:], second: [String: Tensor] = [:]
    for (name, t) in zip(all.names, all.tensors) {
      if name.hasPrefix(firstMoment) { first[String(name.dropFirst(firstMoment.count))] = t }
      else if name.hasPrefix(secondMoment) { second[String(name.dropFirst(secondMoment.count))] = t }
      else { theta.append((name, t)) }
    }
    let parameters = try ParameterList(theta)
    var adam: AdamState?
    if let stepText = meta["adam_step"] {
      // One moment per parameter, under its name and with its shape.
      let matching = { (moments: [String: Tensor]) -> [Tensor]? in
        guard moments.count == theta.count else { return nil }
        let list = theta.compactMap { p in moments[p.0].flatMap { $0.shape == p.1.shape ? $0 : nil } }
        return list.count == theta.count ? list : nil
      }
      guard let step = Int(stepText), step >= 0, let m = matching(first), let v = matching(second) else {
        throw RLError(.invalidArgument, op, "\(path): Adam's moments do not match the parameters (names and shapes) or its step is invalid")
      }
      adam = AdamState(stepCount: step, first: m, second: v)
    } else if !first.isEmpty || !second.isEmpty {
      throw RLError(.invalidArgument, op, "\(path): optimizer moments without adam_step")
    }
    return (LearnerState(parameters: parameters, iterationsDone: done, adam: adam), meta)
  }
}
