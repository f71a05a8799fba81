import Foundation
import ParleyDomain

/// Engine.IO v4 packet types (the first character of a text frame).
enum EngineIOPacketType: Character {
    case open = "0", close = "1", ping = "2", pong = "3", message = "4", upgrade = "5", noop = "6"
}

/// One Socket.IO v5 packet: type, namespace, optional ack id and JSON payload.
struct SocketIOPacket: Equatable, Sendable {
    /// Socket.IO v5 packet types.
    enum Kind: Int, Sendable {
        case connect = 0, disconnect = 1, event = 2, ack = 3, connectError = 4, binaryEvent = 5, binaryAck = 6
    }

    var kind: Kind
    var namespace: String
    var ackID: Int?
    var payload: JSONValue?
    /// Binary attachments still to arrive (binary event/ack).
    var attachments: Int = 0

    /// Decodes the text after the Engine.IO `4`.
    static func decode(_ text: Substring) throws(SocketIOProtocolError) -> SocketIOPacket {
        var rest = text[...]
        guard let first = rest.first, let digit = first.wholeNumberValue, let kind = Kind(rawValue: digit) else {
            throw .malformed("unknown packet type")
        }
        rest = rest.dropFirst()
        var attachments = 0
        if kind == .binaryEvent || kind == .binaryAck {
            guard let dash = rest.firstIndex(of: "-"), let count = Int(rest[..<dash]), (0...64).contains(count) else {
                throw .malformed("binary packet without an attachment count")
            }
            attachments = count
            rest = rest[rest.index(after: dash)...]
        }
        var namespace = "/"
        if rest.first == "/" {
            if let comma = rest.firstIndex(of: ",") {
                namespace = String(rest[..<comma])
                rest = rest[rest.index(after: comma)...]
            } else {
                namespace = String(rest)
                rest = ""
            }
        }
        var digits = ""
        while let character = rest.first, character.isASCII, character.isNumber {
            digits.append(character)
            rest = rest.dropFirst()
        }
        guard digits.count <= 9 else { throw .malformed("acknowledgement id too long") }
        var payload: JSONValue?
        if !rest.isEmpty {
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(rest.utf8)) else {
                throw .malformed("payload is not JSON")
            }
            payload = value
        }
        return SocketIOPacket(kind: kind, namespace: namespace, ackID: digits.isEmpty ? nil : Int(digits), payload: payload, attachments: attachments)
    }

    /// The text of an Engine.IO message frame carrying this packet (`4` + Socket.IO packet).
    var frame: String {
        var text = "4\(kind.rawValue)"
        if kind == .binaryEvent || kind == .binaryAck { text += "\(attachments)-" }
        if namespace != "/" { text += namespace + "," }
        if let ackID { text += String(ackID) }
        if let payload, let data = try? JSONEncoder().encode(payload) { text += String(decoding: data, as: UTF8.self) }
        return text
    }

    /// An event packet: `["name", data]`.
    static func event(_ name: String, _ data: JSONValue, namespace: String) -> SocketIOPacket {
        SocketIOPacket(kind: .event, namespace: namespace, ackID: nil, payload: .array([.string(name), data]))
    }

    /// Replaces `{"_placeholder": true, "num": n}` with the attachments (as base64 strings
    /// marked `{"_binary": "<base64>"}`; handlers read them with `SocketIOArguments.binary`).
    func filling(_ buffers: [Data]) -> SocketIOPacket {
        func fill(_ value: JSONValue) -> JSONValue {
            switch value {
            case .object(let object):
                if object["_placeholder"]?.boolValue == true, let number = object["num"]?.doubleValue,
                   Int(number) >= 0, Int(number) < buffers.count {
                    return .object(["_binary": .string(buffers[Int(number)].base64EncodedString())])
                }
                return .object(object.mapValues(fill))
            case .array(let array): return .array(array.map(fill))
            default: return value
            }
        }
        var packet = self
        packet.payload = payload.map(fill)
        packet.kind = kind == .binaryAck ? .ack : .event
        packet.attachments = 0
        return packet
    }
}

/// A frame that breaks the Engine.IO / Socket.IO protocol.
enum SocketIOProtocolError: Error, Equatable {
    case malformed(String)
}

extension JSONValue {
    /// Bytes carried by a Socket.IO argument: a binary attachment, or a base64 string.
    var binaryData: Data? {
        if let encoded = self["_binary"]?.stringValue { return Data(base64Encoded: encoded) }
        if let encoded = stringValue { return Data(base64Encoded: encoded) }
        return nil
    }
}
