import Foundation
import ParleyDomain

/// A message from a live voice client (the Sales Trainer's `/ws/voice`, a Voice Agents web call),
/// decoded once into what it asks for; the handler then switches over cases instead of digging
/// in dictionaries. Lenient where clients differ (`text` in `data`, `data.text` or `text`;
/// `action` at the top or in `data`), strict on types.
enum VoiceClientMessage: Decodable, Equatable {
    /// `config`: the audio format (lower-cased, `pcm` by default), or typed practice.
    case config(Config)
    /// `audio`: base64 16-bit PCM, nil when `data` is not a string.
    case audio(base64: String?)
    /// `text`: a typed turn, nil when none was given.
    case text(String?)
    /// `control`: pause, resume or end (or what else the client wrote).
    case control(action: String?)
    /// `playback`: the client's report that the prospect's audio plays or stopped.
    case playback(state: String?)
    case unknown(type: String)

    struct Config: Equatable {
        var format: String
        var sampleRate: Int?
        var channels: Int
        /// nil when absent; `.invalid` when present but not a boolean.
        var interimResults: InterimResults?

        enum InterimResults: Equatable { case on, off, invalid }
    }

    private enum Keys: String, CodingKey { case type, data, action, text }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let type = try container.decode(String.self, forKey: .type)
        let data = try container.decodeIfPresent(JSONValue.self, forKey: .data)
        switch type {
        case "config":
            let config = data ?? .object([:])
            let interim: Config.InterimResults? = switch config["interim_results"] {
            case nil, .null?: nil
            case .bool(true)?: .on
            case .bool(false)?: .off
            default: .invalid
            }
            self = .config(Config(
                format: config["format"]?.stringValue?.lowercased() ?? "pcm",
                sampleRate: config["sample_rate"]?.doubleValue.map(Int.init),
                channels: config["channels"]?.doubleValue.map(Int.init) ?? 1,
                interimResults: interim))
        case "audio":
            self = .audio(base64: data?.stringValue)
        case "text":
            let topLevel = (try? container.decodeIfPresent(String.self, forKey: .text)) ?? nil
            self = .text(data?.stringValue ?? data?["text"]?.stringValue ?? topLevel)
        case "control":
            let topLevel = (try? container.decodeIfPresent(String.self, forKey: .action)) ?? nil
            self = .control(action: topLevel ?? data?["action"]?.stringValue)
        case "playback":
            self = .playback(state: data?["state"]?.stringValue)
        default:
            self = .unknown(type: type)
        }
    }

    /// The message in `text`, or nil when it is not a JSON object with a string `type`.
    static func decode(_ text: String) -> VoiceClientMessage? {
        try? JSONDecoder().decode(VoiceClientMessage.self, from: Data(text.utf8))
    }

    /// Whether the message may come after the session ended (only `control` may).
    var isControl: Bool {
        if case .control = self { return true }
        return false
    }
}
