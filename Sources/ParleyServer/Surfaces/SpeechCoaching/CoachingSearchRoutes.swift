import Foundation
import ParleyDomain
import Vapor

extension SpeechCoaching {
    /// `GET /coaching/search/sessions`: full-text search over titles and transcripts (SQLite FTS5 or
    /// PostgreSQL full-text search), with highlights timed from the transcript.
    enum CoachingSearchRoutes {
        struct Filters: Decodable {
            var type: String?
            var status: String?
            var startDate: String?
            var endDate: String?
            var minScore: Double?
        }

        struct ResultDTO: Encodable, Sendable {
            struct Highlight: Encodable, Sendable {
                var text: String
                var start: Double?
                var end: Double?
            }
            var id: String
            var title: String
            var type: String
            var status: String
            var score: Double?
            var duration: Double?
            var createdAt: String
            var highlights: [Highlight]
            var relevance: Double
        }

        struct PageDTO: Encodable, Sendable {
            var results: [ResultDTO]
            var pagination: CoachingPagination
        }

        static func register(on routes: any RoutesBuilder) {
            routes.get("search", "sessions", use: search)
        }

        static func search(_ request: Request) async throws -> Response {
            let user = try request.principal.user
            let q = (request.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let terms = q.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            guard !terms.isEmpty, q.count <= 200 else { throw APIError.validation("q", "must hold 1 to 200 characters with at least one word") }
            let page = try request.pagingValue("page", default: 1, range: 1...1_000_000)
            let limit = try request.pagingValue("limit", default: 20, range: 1...100)
            let sortName = request.query[String.self, at: "sort"] ?? "relevance"
            guard let order = ConversationSearchQuery.Order(rawValue: sortName) else {
                throw APIError.validation("sort", "must be one of relevance, date, score")
            }
            var query = ConversationSearchQuery(organizationID: user.organizationID, userID: user.id, kind: .coaching, terms: terms,
                                                order: order, offset: (page - 1) * limit, limit: limit)
            if let raw = request.query[String.self, at: "filters"], !raw.isEmpty {
                let filters: Filters
                do {
                    filters = try JSONDecoder().decode(Filters.self, from: Data(raw.utf8))
                } catch {
                    throw APIError.validation("filters", "must be a JSON object with type, status, startDate, endDate or minScore")
                }
                if let type = filters.type {
                    guard CoachingSessionRoutes.types.contains(type) else { throw APIError.validation("filters.type", "must be one of \(CoachingSessionRoutes.types.joined(separator: ", "))") }
                    query.category = type
                }
                if let status = filters.status {
                    guard CoachingSessionRoutes.statuses.contains(status) else { throw APIError.validation("filters.status", "must be one of \(CoachingSessionRoutes.statuses.joined(separator: ", "))") }
                    query.status = ConversationStatus(rawValue: status)
                }
                query.createdAfter = try filters.startDate.map { try date($0, field: "filters.startDate") }
                query.createdBefore = try filters.endDate.map { try date($0, field: "filters.endDate", endOfDay: true) }
                query.minimumScore = filters.minScore
            }
            let (hits, total) = try await request.conversations.search(query)
            var results: [ResultDTO] = []
            for hit in hits {
                let conversation = hit.conversation
                let turns = try await request.conversations.turns(conversationID: conversation.id)
                results.append(ResultDTO(
                    id: conversation.publicID, title: conversation.title ?? "", type: conversation.category ?? "presentation",
                    status: conversation.status.rawValue, score: conversation.score, duration: conversation.duration.map(round1),
                    createdAt: Timestamp.iso8601(conversation.createdAt),
                    highlights: highlights(in: turns.map(\.segment), title: conversation.title ?? "", terms: terms),
                    relevance: round3(hit.relevance)))
            }
            return try request.coaching(PageDTO(results: results, pagination: CoachingPagination(page: page, limit: limit, total: total)))
        }

        /// Up to three transcript passages holding a searched word (by prefix, as the index matches),
        /// each the few words around it, timed by its words.
        static func highlights(in segments: [TranscriptSegment], title: String, terms: [String]) -> [ResultDTO.Highlight] {
            func matches(_ word: String) -> Bool {
                let folded = word.lowercased().filter { $0.isLetter || $0.isNumber }
                return !folded.isEmpty && terms.contains { folded.hasPrefix($0) || ($0.count > 4 && $0.hasPrefix(folded) && folded.count >= 4) }
            }
            var found: [ResultDTO.Highlight] = []
            for segment in segments where found.count < 3 {
                let words = segment.words
                if let index = words.firstIndex(where: { matches($0.text) }) {
                    let window = words[max(0, index - 4)...min(words.count - 1, index + 4)]
                    found.append(.init(text: window.map(\.text).joined(separator: " ").trimmingCharacters(in: .whitespaces),
                                       start: window.first.map { round3($0.start) }, end: window.last.map { round3($0.end) }))
                } else if segment.text.split(separator: " ").contains(where: { matches(String($0)) }) {
                    found.append(.init(text: segment.text, start: segment.start, end: segment.end))
                }
            }
            if found.isEmpty, title.split(separator: " ").contains(where: { matches(String($0)) }) {
                found.append(.init(text: title, start: nil, end: nil))
            }
            return found
        }

        static func date(_ raw: String, field: String, endOfDay: Bool = false) throws -> Date {
            try QueryDate.parse(raw, field: field, allowingInstants: true, endOfDay: endOfDay)
        }
    }
}
