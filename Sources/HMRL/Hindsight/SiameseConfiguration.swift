import HMTensor

/// The settings of a ``SiameseNetwork`` f_φ (the note's §II, Algorithm 1 lines 3 and 16);
/// every field has a documented default and is saved with the network.
///
/// ```swift
/// var c = SiameseConfiguration(inputSize: 2)          // tasks described by 2D goals
/// c.hidden = [32, 32]
/// var f = try SiameseNetwork(configuration: c)
/// ```
public struct SiameseConfiguration: Codable, Sendable, Equatable {
  /// How a task is turned into the embedding e_φ(T).
  public enum Encoder: String, Codable, Sendable, CaseIterable {
    /// An MLP over the task's feature vector (goal coordinates, bandit means, ...).
    case features
    /// A permutation-invariant Deep Sets encoder (Zaheer et al. 2017) over a set of the task's
    /// transitions (s, a, r, s′): ρ(mean over the set of h(transition)).
    case transitions
  }

  /// The encoder e_φ (default `.features`).
  public var encoder: Encoder = .features
  /// Numbers per task feature vector (`.features`) or per transition row (`.transitions`,
  /// see ``TaskDescription/transitionSize(observationSize:actionSize:)``).
  public var inputSize: Int
  /// Hidden widths of e_φ (default [64, 64]); for `.transitions` those of ρ, after pooling.
  public var hidden: [Int] = [64, 64]
  /// `.transitions` only: the widths of the per-transition network h (default [64, 64]); its
  /// last layer is activated too, and its width is what is pooled. At least one width.
  public var setHidden: [Int] = [64, 64]
  /// d, the embedding size (default 32).
  public var embeddingSize: Int = 32
  /// The hidden nonlinearity of every MLP (default tanh).
  public var activation: MultilayerPerceptron.Activation = .tanh
  /// β of Algorithm 1, Adam's learning rate (default 1e-3).
  public var learningRate: Double = 1e-3
  /// Pairs per minibatch (default 64): ⌊batchSize/2⌋ similar and the rest dissimilar. At least 2.
  public var batchSize: Int = 64
  /// m, transitions drawn per task (with replacement) for each training minibatch of the
  /// `.transitions` encoder (default 32). Evaluation uses all of a task's transitions.
  public var transitionsPerTask: Int = 32
  /// The parameters' dtype (default float32; float64 for gradient checks).
  public var dtype: DType = .float32
  /// The seed every random stream of the network derives from (default 0).
  public var seed: UInt64 = 0

  public init(inputSize: Int, encoder: Encoder = .features) {
    self.inputSize = inputSize
    self.encoder = encoder
  }

  /// - Throws: `RLError` (`.invalidArgument`) naming `siamese` and the offending field.
  public func validate() throws {
    let op = "siamese"
    let limit = 1 << 20
    guard inputSize >= 1, inputSize <= limit else {
      throw RLError(.invalidArgument, op, "input size must be in 1...\(limit), got \(inputSize)")
    }
    guard embeddingSize >= 1, embeddingSize <= limit else {
      throw RLError(.invalidArgument, op, "embedding size must be in 1...\(limit), got \(embeddingSize)")
    }
    guard hidden.count <= 64, hidden.allSatisfy({ $0 >= 1 && $0 <= limit }) else {
      throw RLError(.invalidArgument, op, "hidden sizes must be at most 64 numbers in 1...\(limit), got \(hidden)")
    }
    if encoder == .transitions {
      guard !setHidden.isEmpty, setHidden.count <= 64, setHidden.allSatisfy({ $0 >= 1 && $0 <= limit }) else {
        throw RLError(.invalidArgument, op, "the transitions encoder needs 1 to 64 set hidden sizes in 1...\(limit), got \(setHidden)")
      }
    }
    guard learningRate.isFinite, learningRate > 0 else {
      throw RLError(.invalidArgument, op, "learning rate must be finite and positive, got \(learningRate)")
    }
    guard batchSize >= 2, batchSize <= limit else {
      throw RLError(.invalidArgument, op, "batch size must be in 2...\(limit) (half similar, half dissimilar pairs), got \(batchSize)")
    }
    guard transitionsPerTask >= 1, transitionsPerTask <= limit else {
      throw RLError(.invalidArgument, op, "transitions per task must be in 1...\(limit), got \(transitionsPerTask)")
    }
  }

  // Written by hand because DType and Activation are not Codable; fields missing from a file
  // take their defaults, so files stay readable when fields are added.
  enum CodingKeys: String, CodingKey {
    case encoder, inputSize = "input_size", hidden, setHidden = "set_hidden", embeddingSize = "embedding_size"
    case activation, learningRate = "learning_rate", batchSize = "batch_size"
    case transitionsPerTask = "transitions_per_task", dtype, seed
  }

  public init(from decoder: Swift.Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    inputSize = try c.decode(Int.self, forKey: .inputSize)
    encoder = try c.decodeIfPresent(Encoder.self, forKey: .encoder) ?? encoder
    hidden = try c.decodeIfPresent([Int].self, forKey: .hidden) ?? hidden
    setHidden = try c.decodeIfPresent([Int].self, forKey: .setHidden) ?? setHidden
    embeddingSize = try c.decodeIfPresent(Int.self, forKey: .embeddingSize) ?? embeddingSize
    if let name = try c.decodeIfPresent(String.self, forKey: .activation) {
      guard let a = MultilayerPerceptron.Activation(rawValue: name) else {
        throw DecodingError.dataCorruptedError(forKey: .activation, in: c, debugDescription: "unknown activation \(name)")
      }
      activation = a
    }
    learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? learningRate
    batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? batchSize
    transitionsPerTask = try c.decodeIfPresent(Int.self, forKey: .transitionsPerTask) ?? transitionsPerTask
    if let name = try c.decodeIfPresent(String.self, forKey: .dtype) {
      guard let d = DType(rawValue: name) else {
        throw DecodingError.dataCorruptedError(forKey: .dtype, in: c, debugDescription: "unknown dtype \(name)")
      }
      dtype = d
    }
    seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
  }

  public func encode(to encoder: Swift.Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(self.encoder, forKey: .encoder)
    try c.encode(inputSize, forKey: .inputSize)
    try c.encode(hidden, forKey: .hidden)
    try c.encode(setHidden, forKey: .setHidden)
    try c.encode(embeddingSize, forKey: .embeddingSize)
    try c.encode(activation.rawValue, forKey: .activation)
    try c.encode(learningRate, forKey: .learningRate)
    try c.encode(batchSize, forKey: .batchSize)
    try c.encode(transitionsPerTask, forKey: .transitionsPerTask)
    try c.encode(dtype.rawValue, forKey: .dtype)
    try c.encode(seed, forKey: .seed)
  }
}
