import Foundation
import ParleyAudio
import ParleyCore
import ParleyDomain
import ParleyIntelligence
import ParleySpeech
import Vapor

/// Where processing is, kept in the conversation's `details.processing` and sent as
/// `processing:status` events.
struct ProcessingState: Codable, Sendable {
    var uploadId: String
    var stage: String
    var progress: Int
    var status: String
    var error: String?
    var estimatedTime: Int?
    var updatedAt: Date
}

/// Turns an uploaded recording into results, as a durable job: decode → audio analysis
/// (prosody) → recognition with word timings → text analysis → scores. Each stage's output is
/// saved before the next starts; the final write (results, transcript turns, search text and
/// status) is one transaction, so a job resumed after a crash produces exactly one result.
enum RecordingPipeline {
    static let handler = JobHandler(kind: RecordingJob.kind) { job, context in try await run(job, context: context) }

    /// Rough seconds of processing for a recording, for `estimatedTime` (measured: recognition
    /// dominates at about a third of real time on 2 cores).
    static func estimatedSeconds(forAudioSeconds seconds: Double?) -> Int {
        Int(((seconds ?? 60) * 0.35 + 3).rounded(.up))
    }

    static func run(_ job: Job, context: ParleyContext) async throws {
        guard let payload = RecordingJob(payload: job.payload) else { return }
        let (publicID, organizationID, uploadID) = (payload.conversationId, payload.organizationId, payload.uploadId)
        let store = context.core.conversations
        // Deleted meanwhile: nothing to do.
        guard var conversation = try await store.conversation(publicID: publicID, organizationID: organizationID) else { return }
        // Stages already finished for this upload are kept (a resumed job skips them).
        var results = conversation.analysis.flatMap { $0.uploadID == uploadID ? $0 : nil }
            ?? ConversationAnalysis(profile: conversation.kind.analysisProfile, uploadID: uploadID)
        if conversation.status == .completed, results.scores != nil {
            // Finished before a crash; make sure the completion was announced.
            try await CompletionWebhooks.enqueue(for: conversation, context: context)
            return
        }
        let hub = context.realtime
        let topic = conversation.publicID
        let intake = context.core.intake
        guard let upload = try await intake.upload(publicID: uploadID, organizationID: organizationID),
              upload.status == .completed, let path = upload.path
        else {
            try await fail(&conversation, uploadID: uploadID, reason: "the uploaded media is missing", context: context)
            return
        }
        let latest = try await intake.latestMedia(of: conversation.id)
        guard latest?.publicID == uploadID else { return }  // a newer upload supersedes this one
        let estimate = estimatedSeconds(forAudioSeconds: results.delivery?.duration)

        func report(_ stage: String, _ progress: Int) async throws {
            let state = ProcessingState(uploadId: uploadID, stage: stage, progress: progress, status: "processing",
                                        estimatedTime: max(0, estimate * (100 - progress) / 100), updatedAt: Date())
            conversation.status = .processing
            conversation.startedAt = conversation.startedAt ?? Date()
            var details = conversation.details.objectValue
            details["processing"] = try JSONValue(encoding: state)
            conversation.details = .object(details)
            conversation.analysis = results
            try await store.updateConversation(conversation)
            hub.publish(RealtimeEvent(name: "processing:status", data: .object([
                "stage": .string(stage), "progress": .number(Double(progress)),
                "estimatedTime": .number(Double(state.estimatedTime ?? 0)), "status": .string("processing"),
            ])), to: topic)
        }

        do {
            try await report("decoding", 5)
            let url = URL(fileURLWithPath: context.configuration.dataDirectory).appendingPathComponent(path)
            let audio = try await EngineWork.run { try AudioDecoder.decode(contentsOf: url) }
            let options = { var options = AnalysisOptions(); options.keepsFrames = false; return options }()

            if results.delivery == nil {
                try await report("prosody", 20)
                let analysis = try await EngineWork.run { AudioAnalyzer.analyze(audio, options: options) }
                results.delivery = analysis
                for point in analysis.timeline(.second) {
                    hub.publish(RealtimeEvent(name: "metrics:update", data: try JSONValue(encoding: LiveMetrics(point))), to: topic)
                }
            }
            if results.transcript == nil {
                try await report("transcription", 40)
                let transcript = try await context.speech.recognizer.transcribe(audio)
                results.transcript = Transcript(
                    segments: transcript.segments.map { var segment = $0; segment.speaker = .rep; return segment },
                    language: transcript.language)
                for word in transcript.segments.flatMap(\.words) {
                    hub.publish(RealtimeEvent(name: "asr:token", data: .object([
                        "token": .string(word.text), "confidence": .number(word.confidence ?? 0),
                        "start": .number(word.start), "end": .number(word.end), "isFinal": .bool(true),
                    ])), to: topic)
                }
            }
            try await report("analysis", 75)
            let transcript = results.transcript ?? Transcript(segments: [])
            let words = transcript.segments.flatMap(\.words)
            let audioAnalysis = try await EngineWork.run { AudioAnalyzer.analyze(audio, words: words, options: options) }
            results.delivery = audioAnalysis
            let text = TextAnalyzer().analyze(transcript)
            results.fluency = text.repFluency ?? text.fluency
            results.sentiment = text.sentiment

            try await report("scoring", 90)
            let scores = SpeechCoach.score(metrics: SpeechMetrics(audioAnalysis, words: words), analysis: text)
            results.scores = scores
            results.measure()

            var details = conversation.details.objectValue
            details["processing"] = try JSONValue(encoding: ProcessingState(
                uploadId: uploadID, stage: "completed", progress: 100, status: "completed", estimatedTime: 0, updatedAt: Date()))
            conversation.details = .object(details)
            conversation.analysis = results
            conversation.status = .completed
            conversation.completedAt = Date()
            conversation.duration = audioAnalysis.duration
            conversation.score = scores.overall
            let turns = transcript.segments.enumerated().map { index, segment in
                StoredTurn(
                    sequence: index, segment: segment,
                    spokenAt: conversation.createdAt.addingTimeInterval(segment.start ?? 0),
                    sentiment: text.segments.first { $0.segmentID == segment.id }?.sentiment.label.rawValue, intent: nil)
            }
            try await store.saveResults(conversation, turns: turns)
            hub.publish(RealtimeEvent(name: "processing:status", data: .object([
                "stage": .string("completed"), "progress": .number(100), "estimatedTime": .number(0), "status": .string("completed"),
                "score": .number(scores.overall),
            ])), to: topic)
            try await CompletionWebhooks.enqueue(for: conversation, context: context)
        } catch let error as AudioDecodingError {
            // The file itself is bad: retrying cannot help.
            try await fail(&conversation, uploadID: uploadID, reason: "the media could not be decoded: \(error.description)", context: context)
        } catch {
            if job.attempts >= job.maxAttempts {
                try await fail(&conversation, uploadID: uploadID, reason: "processing failed: \(error)", context: context)
                return
            }
            throw error
        }
    }

    /// Marks the conversation failed with the reason, tells watchers, and keeps what finished.
    static func fail(_ conversation: inout Conversation, uploadID: String, reason: String, context: ParleyContext) async throws {
        let previous = conversation.details["processing"]?.decoded(as: ProcessingState.self)
        var details = conversation.details.objectValue
        details["processing"] = try JSONValue(encoding: ProcessingState(
            uploadId: uploadID, stage: previous?.stage ?? "decoding", progress: previous?.progress ?? 0, status: "failed",
            error: reason, estimatedTime: nil, updatedAt: Date()))
        conversation.details = .object(details)
        conversation.status = .failed
        try await context.core.conversations.updateConversation(conversation)
        context.realtime.publish(RealtimeEvent(name: "processing:status", data: .object([
            "stage": .string(previous?.stage ?? "decoding"), "progress": .number(Double(previous?.progress ?? 0)),
            "status": .string("failed"), "error": .string(reason),
        ])), to: conversation.publicID)
    }
}

/// One `metrics:update` payload: a timeline point in the document's shape.
struct LiveMetrics: Codable, Sendable {
    struct PauseDTO: Codable, Sendable {
        var start: Double
        var end: Double
        var duration: Double
    }

    var timestamp: Double
    var wpm: Double
    var pitch: Double?
    var volume: Double?
    var pauses: [PauseDTO]

    init(_ point: TimelinePoint) {
        timestamp = point.timestamp
        wpm = (point.wpm * 10).rounded() / 10
        pitch = point.pitch.map { ($0 * 10).rounded() / 10 }
        volume = point.volume.map { ($0 * 10).rounded() / 10 }
        pauses = point.pauses.map { PauseDTO(start: $0.start, end: $0.end, duration: $0.duration) }
    }
}

extension SpeechMetrics {
    /// The measurements SpeechCoach scores, from the audio engine's analysis and the recognised words.
    init(_ analysis: AudioAnalysis, words: [Word]) {
        let confidences = words.compactMap(\.confidence)
        self.init(
            durationSeconds: analysis.duration, wordsPerMinute: analysis.wpm,
            pitchMeanHz: analysis.pitch.mean, pitchStdHz: analysis.pitch.std,
            loudnessMeanDb: analysis.volume.mean, loudnessStdDb: analysis.volume.std,
            pauses: analysis.pauses.map { SpeechMetrics.Pause(start: $0.start, end: $0.end) },
            wpmTimeline: analysis.timeline(.tenSeconds).filter { $0.duration >= 5 }.map(\.wpm),
            recognitionConfidence: confidences.isEmpty ? nil : confidences.reduce(0, +) / Double(confidences.count))
    }
}
