import Foundation

/// An optional that is written as `null` when empty (synthesized `Encodable` leaves empty
/// optionals out), for the documented shapes whose clients expect every key; a missing or null
/// key reads back as empty.
@propertyWrapper
public struct NullWhenEmpty<Value: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    /// A missing key is an empty value, not an error.
    public func decode<Value>(_ type: NullWhenEmpty<Value>.Type, forKey key: Key) throws -> NullWhenEmpty<Value> {
        try decodeIfPresent(type, forKey: key) ?? NullWhenEmpty(wrappedValue: nil)
    }
}
