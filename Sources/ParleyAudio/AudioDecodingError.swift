import Foundation
import ParleyDomain

/// Why audio could not be decoded: surfaces answer `unsupported` with 415 and `corrupt` with 422.
public enum AudioDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The container or codec is one Parley does not read (answer 415 Unsupported Media Type).
    case unsupported(String)
    /// The format is known but the bytes are damaged, truncated or nonsensical (answer 422).
    case corrupt(String)
    /// The external decoder (ffmpeg) is not installed or could not be started (answer 503).
    case decoderUnavailable(String)

    /// A sentence a user can act on.
    public var description: String {
        switch self {
        case .unsupported(let message): "Unsupported audio: \(message)"
        case .corrupt(let message): "The audio file is damaged or unreadable: \(message)"
        case .decoderUnavailable(let message): "Audio decoding is unavailable: \(message)"
        }
    }

    /// The case without its message, for matching.
    public enum Kind: Sendable, Equatable {
        case unsupported
        case corrupt
        case decoderUnavailable
    }

    /// Which case this is.
    public var kind: Kind {
        switch self {
        case .unsupported: .unsupported
        case .corrupt: .corrupt
        case .decoderUnavailable: .decoderUnavailable
        }
    }

    /// The HTTP status a surface should answer with.
    public var httpStatus: Int {
        switch self {
        case .unsupported: 415
        case .corrupt: 422
        case .decoderUnavailable: 503
        }
    }
}

extension AudioDecodingError: LocalizedError {
    public var errorDescription: String? { description }
}
