import Foundation

/// The rules an account's email, password and names must meet, shared by every surface.
public enum AccountRules {
    /// bcrypt reads at most 72 bytes; longer passwords would be silently truncated.
    public static let maxPasswordBytes = 72
    public static let minPasswordLength = 8

    /// Checks an email's shape and returns it trimmed and lowercased.
    public static func normalisedEmail(_ raw: String, field: String = "email") throws -> String {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !containsControlCharacters(email) else {
            throw DomainError.validation(field: field, message: "Invalid email format")
        }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              email.allSatisfy({ !$0.isWhitespace && $0 != "," && $0 != ";" })
        else { throw DomainError.validation(field: field, message: "Invalid email format") }
        return email
    }

    /// Rejects passwords that are short, too long for bcrypt, or lack a letter or a digit.
    public static func checkPassword(_ password: String, email: String? = nil, field: String = "password") throws {
        guard password.count >= minPasswordLength else {
            throw DomainError.validation(field: field, message: "must be at least \(minPasswordLength) characters long")
        }
        guard password.utf8.count <= maxPasswordBytes else {
            throw DomainError.validation(field: field, message: "must be at most \(maxPasswordBytes) bytes long")
        }
        guard password.contains(where: \.isLetter), password.contains(where: \.isNumber) else {
            throw DomainError.validation(field: field, message: "must contain at least one letter and one digit")
        }
        if let email, password.lowercased() == email.lowercased() {
            throw DomainError.validation(field: field, message: "must not be the same as the email address")
        }
    }

    /// True for text with control characters such as NUL, which databases refuse to store.
    public static func containsControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// Trims a person's or company's name and checks its length.
    public static func name(_ raw: String, field: String, required: Bool = true, maxLength: Int = 100) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !containsControlCharacters(value) else {
            throw DomainError.validation(field: field, message: "must not contain control characters")
        }
        if required && value.isEmpty {
            throw DomainError.validation(field: field, message: "must not be empty")
        }
        guard value.count <= maxLength else {
            throw DomainError.validation(field: field, message: "must be at most \(maxLength) characters long")
        }
        return value
    }
}
