import Foundation

/// Where a webhook may be sent. Without `PARLEY_WEBHOOK_ALLOW_PRIVATE`, a subscriber must be on
/// the public internet: the host may not be, or resolve to, a loopback, private, link-local
/// (cloud metadata), carrier-grade NAT, multicast or unspecified address, so a user cannot make
/// the server call into its own network. Checked when the webhook is registered and again, with
/// a fresh lookup, before every delivery (a name can be re-pointed after registration).
enum WebhookTarget {
    /// Why `url`'s host may not receive webhooks, or nil when it may.
    static func refusal(for url: URL) async -> String? {
        if case .refused(let reason) = await destination(of: url) { return reason }
        return nil
    }

    /// Where a delivery to `url` may connect, or why it may not be sent.
    enum Destination {
        /// Connect to `address` for `host` (the address that was checked, so a second lookup
        /// cannot answer differently); `host` is nil when the URL names an address itself.
        case allowed(host: String?, address: Address)
        case refused(String)
    }

    /// Checks every address `url`'s host resolves to; a delivery then connects to the first.
    static func destination(of url: URL) async -> Destination {
        guard let host = url.host?.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), !host.isEmpty else {
            return .refused("has no host")
        }
        let addresses: [Address]
        if let literal = Address(host) {
            addresses = [literal]
        } else {
            addresses = (try? await EngineWork.run { resolve(host) }) ?? []
            guard !addresses.isEmpty else { return .refused("names a host that does not resolve (\(host))") }
        }
        if let inside = addresses.first(where: \.isInternal) {
            return .refused("points into a private network (\(host) is \(inside)); set PARLEY_WEBHOOK_ALLOW_PRIVATE=1 to allow it")
        }
        return .allowed(host: Address(host) == nil ? host : nil, address: addresses[0])
    }

    /// An IPv4 or IPv6 address as bytes.
    struct Address: CustomStringConvertible {
        var bytes: [UInt8]

        init?(_ text: String) {
            var v4 = in_addr()
            var v6 = in6_addr()
            if inet_pton(AF_INET, text, &v4) == 1 {
                bytes = withUnsafeBytes(of: &v4) { Array($0) }
            } else if inet_pton(AF_INET6, text, &v6) == 1 {
                bytes = withUnsafeBytes(of: &v6) { Array($0) }
            } else {
                return nil
            }
        }

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        var description: String {
            if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
            return stride(from: 0, to: 16, by: 2).map { String(format: "%x", Int(bytes[$0]) << 8 | Int(bytes[$0 + 1])) }.joined(separator: ":")
        }

        /// Addresses that are not on the public internet, including IPv6 forms that carry an
        /// internal IPv4 address inside them.
        var isInternal: Bool {
            if bytes.count == 4 { return Self.isInternalV4(bytes) }
            guard bytes.count == 16 else { return true }
            let v4Tail = Array(bytes[12..<16])
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
                return Self.isInternalV4(v4Tail)  // IPv4-mapped, ::ffff:a.b.c.d
            }
            if bytes[0..<12].allSatisfy({ $0 == 0 }) { return true }  // ::, ::1 and IPv4-compatible ::a.b.c.d (deprecated)
            if bytes[0..<12] == [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0] {
                return Self.isInternalV4(v4Tail)  // NAT64 64:ff9b::/96 reaches the embedded IPv4 address
            }
            if bytes[0..<6] == [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01] { return true }  // 64:ff9b:1::/48, local-use NAT64
            if bytes[0] == 0x20, bytes[1] == 0x02 { return Self.isInternalV4(Array(bytes[2..<6])) }  // 6to4 2002:V4ADDR::/48
            if bytes[0..<4] == [0x20, 0x01, 0x00, 0x00] { return true }  // Teredo 2001::/32 tunnels to an IPv4 host
            if bytes[0..<4] == [0x20, 0x01, 0x0d, 0xb8] { return true }  // documentation 2001:db8::/32
            if bytes[0..<8] == [0x01, 0, 0, 0, 0, 0, 0, 0] { return true }  // discard-only 100::/64
            if bytes[0] & 0xfe == 0xfc { return true }  // fc00::/7 unique local
            if bytes[0] == 0xfe, bytes[1] & 0xc0 == 0x80 { return true }  // fe80::/10 link-local
            if bytes[0] == 0xfe, bytes[1] & 0xc0 == 0xc0 { return true }  // fec0::/10 site-local (deprecated)
            if bytes[0] == 0xff { return true }  // multicast
            return false
        }

        private static func isInternalV4(_ b: [UInt8]) -> Bool {
            switch (b[0], b[1]) {
            case (0, _), (10, _), (127, _): true
            case (100, 64...127): true  // carrier-grade NAT
            case (169, 254): true  // link-local, cloud metadata
            case (172, 16...31), (192, 168): true
            case (192, 0) where b[2] == 0: true  // IETF protocol assignments
            case (198, 18...19): true  // benchmarking
            case (224..., _): true  // multicast and reserved
            default: false
            }
        }
    }

    /// The addresses `host` resolves to (blocking: run off the event loops).
    private static func resolve(_ host: String) -> [Address] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [Address] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let entry = node {
            if let sockaddr = entry.pointee.ai_addr {
                switch Int32(entry.pointee.ai_family) {
                case AF_INET:
                    sockaddr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var address = pointer.pointee.sin_addr
                        addresses.append(Address(bytes: withUnsafeBytes(of: &address) { Array($0) }))
                    }
                case AF_INET6:
                    sockaddr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var address = pointer.pointee.sin6_addr
                        addresses.append(Address(bytes: withUnsafeBytes(of: &address) { Array($0) }))
                    }
                default:
                    break
                }
            }
            node = entry.pointee.ai_next
        }
        return addresses
    }
}
