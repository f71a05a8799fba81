import Foundation

/// Checks a JSON response body against the response schema its surface's OpenAPI document gives
/// for that method, path and status: the subset of JSON Schema the documents use (`$ref`, `type`
/// with `null`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `const`,
/// `allOf`/`anyOf`/`oneOf`, `minimum`/`maximum`, `minLength`/`maxLength`, `minItems`/`maxItems`).
/// Every HTTP request a test sends through `TestServer.request` is checked, so shapes cannot
/// drift from the documents unnoticed.
public struct ResponseSchemaCheck: Sendable {
    struct Operation: @unchecked Sendable {
        var segments: [String]
        var document: [String: Any]
        var operation: [String: Any]
    }

    let operations: [String: [Operation]]

    /// The operations of every document, by upper-case method.
    public init(documents: [Data]) {
        var operations: [String: [Operation]] = [:]
        for data in documents {
            guard let document = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
                  let paths = document["paths"] as? [String: [String: Any]]
            else { continue }
            for (path, item) in paths {
                for (method, operation) in item {
                    guard let operation = operation as? [String: Any] else { continue }
                    operations[method.uppercased(), default: []].append(Operation(
                        segments: path.split(separator: "/").map(String.init), document: document, operation: operation))
                }
            }
        }
        self.operations = operations
    }

    /// What is wrong with `body` as the answer `status` to `method path`; empty when it conforms
    /// or when the document says nothing about it (no such operation, no JSON schema).
    public func problems(method: String, path: String, status: Int, contentType: String?, body: Data) -> [String] {
        guard contentType?.contains("json") == true, !body.isEmpty,
              let operation = match(method: method, path: path),
              let responses = operation.operation["responses"] as? [String: Any]
        else { return [] }
        let code = String(status)
        let family = "\(status / 100)XX"
        guard let response = resolve(responses[code] ?? responses[family] ?? responses["default"], in: operation.document),
              let content = response["content"] as? [String: Any],
              let media = (content["application/json"] ?? content.first { $0.key.contains("json") }?.value) as? [String: Any],
              let schema = media["schema"]
        else { return [] }
        guard let value = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else {
            return ["the body is not JSON"]
        }
        var problems: [String] = []
        check(value, against: schema, at: "$", in: operation.document, problems: &problems)
        return problems.map { "\(method) \(path) → \(status): \($0)" }
    }

    private func match(method: String, path: String) -> Operation? {
        let segments = path.split(separator: "?").first.map { $0.split(separator: "/").map(String.init) } ?? []
        let candidates = (operations[method] ?? []).filter { operation in
            operation.segments.count == segments.count
                && zip(operation.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        // A literal segment beats a parameter (`/sessions/search` over `/sessions/{id}`).
        return candidates.max { $0.segments.filter { !$0.hasPrefix("{") }.count < $1.segments.filter { !$0.hasPrefix("{") }.count }
    }

    private func resolve(_ node: Any?, in document: [String: Any]) -> [String: Any]? {
        guard var object = node as? [String: Any] else { return nil }
        var hops = 0
        while let reference = object["$ref"] as? String, hops < 32 {
            hops += 1
            var target: Any? = document
            for part in reference.dropFirst(2).split(separator: "/") {
                target = (target as? [String: Any])?[part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")]
            }
            guard let resolved = target as? [String: Any] else { return nil }
            var merged = resolved
            for (key, value) in object where key != "$ref" { merged[key] = value }
            object = merged
        }
        return object
    }

    private func typeName(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case let number as NSNumber:
            if CFGetTypeIDCompatible.isBoolean(number) { return "boolean" }
            return number.doubleValue.rounded() == number.doubleValue ? "integer" : "number"
        case is String: return "string"
        case is [Any]: return "array"
        case is [String: Any]: return "object"
        default: return "unknown"
        }
    }

    private func check(_ value: Any, against node: Any, at location: String, in document: [String: Any], problems: inout [String]) {
        if let allowed = node as? Bool {
            if !allowed { problems.append("\(location) is not allowed") }
            return
        }
        guard let schema = resolve(node, in: document) else { return }
        if let all = schema["allOf"] as? [Any] {
            for part in all { check(value, against: part, at: location, in: document, problems: &problems) }
        }
        for key in ["anyOf", "oneOf"] {
            if let options = schema[key] as? [Any], !options.isEmpty {
                let fits = options.contains { option in
                    var trial: [String] = []
                    check(value, against: option, at: location, in: document, problems: &trial)
                    return trial.isEmpty
                }
                if !fits { problems.append("\(location) fits none of \(key)") }
            }
        }
        let actual = typeName(value)
        if let declared = schema["type"] {
            let types = (declared as? [String]) ?? [(declared as? String) ?? ""]
            let fits = types.contains(actual) || (actual == "integer" && types.contains("number"))
                || (schema["nullable"] as? Bool == true && actual == "null")
            guard fits else {
                problems.append("\(location) is \(actual), the document says \(types.joined(separator: "|"))")
                return
            }
        }
        if let options = schema["enum"] as? [Any], !options.contains(where: { equal($0, value) }) {
            problems.append("\(location) = \(value) is not one of \(options)")
        }
        if let constant = schema["const"], !equal(constant, value) {
            problems.append("\(location) = \(value), the document says \(constant)")
        }
        if let number = value as? NSNumber, actual != "boolean" {
            if let minimum = (schema["minimum"] as? NSNumber)?.doubleValue, number.doubleValue < minimum {
                problems.append("\(location) = \(number) is below \(minimum)")
            }
            if let maximum = (schema["maximum"] as? NSNumber)?.doubleValue, number.doubleValue > maximum {
                problems.append("\(location) = \(number) is above \(maximum)")
            }
        }
        if let text = value as? String {
            if let minimum = schema["minLength"] as? Int, text.count < minimum { problems.append("\(location) is shorter than \(minimum)") }
            if let maximum = schema["maxLength"] as? Int, text.count > maximum { problems.append("\(location) is longer than \(maximum)") }
        }
        if let array = value as? [Any] {
            if let minimum = schema["minItems"] as? Int, array.count < minimum { problems.append("\(location) has fewer than \(minimum) items") }
            if let maximum = schema["maxItems"] as? Int, array.count > maximum { problems.append("\(location) has more than \(maximum) items") }
            if let items = schema["items"] {
                for (index, element) in array.enumerated() {
                    check(element, against: items, at: "\(location)[\(index)]", in: document, problems: &problems)
                }
            }
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                problems.append("\(location).\(name) is required but missing")
            }
            for (name, element) in object {
                if let property = properties[name] {
                    check(element, against: property, at: "\(location).\(name)", in: document, problems: &problems)
                } else if let additional = schema["additionalProperties"] {
                    check(element, against: additional, at: "\(location).\(name)", in: document, problems: &problems)
                }
            }
        }
    }

    private func equal(_ left: Any, _ right: Any) -> Bool {
        switch (left, right) {
        case let (l as String, r as String): return l == r
        case let (l as NSNumber, r as NSNumber): return l == r
        case (is NSNull, is NSNull): return true
        default: return false
        }
    }
}

/// Tells JSON booleans from numbers (both arrive as NSNumber from JSONSerialization).
enum CFGetTypeIDCompatible {
    static func isBoolean(_ number: NSNumber) -> Bool {
        let type = String(cString: number.objCType)
        return type == "c" || type == "B"
    }
}
