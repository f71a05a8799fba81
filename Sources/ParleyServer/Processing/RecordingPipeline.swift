import Foundation
import ParleyAudio
import ParleyCore
import ParleyDomain
import ParleyIntelligence
import ParleySpeech
import Vapor

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
            if conversation.kind == .field { try await FieldWebhooks.analysed(conversation, context: context) }
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
            conversation.details.processing = state
            conversation.analysis = results
            try await store.updateConversation(conversation)
            hub.publish(.processing(state, score: nil), to: topic)
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
                    hub.publish(.delivery(DeliveryPoint(point)), to: topic)
                }
            }
            if results.transcript == nil {
                try await report("transcription", 40)
                var transcript = try await context.speech.recognizer.transcribe(audio)
                // A speech has one speaker, the rep; other recordings keep the speakers recognition gave.
                if results.profile == .speech {
                    transcript.segments = transcript.segments.map { var segment = $0; segment.speaker = .rep; return segment }
                }
                // A field visit's two voices are told apart from the audio: the enrolled technician, or who spoke first.
                if results.profile == .fieldVisit {
                    let reference = try await FieldVoiceprints.voiceprint(of: conversation.userID, context: context)
                    let recognised = transcript
                    transcript = try await EngineWork.run {
                        FieldSpeakers.label(recognised, turns: SpeakerDiarizer.diarize(audio, reference: reference))
                    }
                }
                results.transcript = transcript
                for segment in transcript.segments {
                    hub.publish(.heard(segment, isFinal: true), to: topic)
                }
            }
            try await report("analysis", 75)
            let transcript = results.transcript ?? Transcript(segments: [])
            let words = transcript.segments.flatMap(\.words)
            let audioAnalysis = try await EngineWork.run { AudioAnalyzer.analyze(audio, words: words, options: options) }
            results.delivery = audioAnalysis
            let catalogue = results.profile == .fieldVisit
                ? FieldFindings.catalogue(try await context.core.fieldVisits.settings(of: organizationID)) : UpsellCatalogue.standard
            let text = await TextUnderstanding(analyzer: TextAnalyzer(catalogue: catalogue), encoder: context.speech.encoder).analyze(transcript)
            results.understanding = text.understanding
            results.fluency = text.repFluency ?? text.fluency
            results.sentiment = text.sentiment

            try await report("scoring", 90)
            let scores = score(results.profile, text: text, delivery: SpeechMetrics(audioAnalysis, words: words))
            results.scores = scores
            results.measure()

            conversation.details.processing = ProcessingState(
                uploadId: uploadID, stage: "completed", progress: 100, status: "completed", estimatedTime: 0, updatedAt: Date())
            conversation.analysis = results
            conversation.status = .completed
            conversation.completedAt = Date()
            conversation.duration = audioAnalysis.duration
            conversation.score = scores.overall
            if results.profile == .fieldVisit {
                // A field conversation is scored by how satisfied its customer was (what lists, filters and stars show).
                let summary = await SummaryWriter(model: context.prospectWording).summary(for: text, transcript: transcript)
                let insights = FieldFindings.insights(from: text, summary: summary)
                conversation.analysis?.insights = insights
                conversation.score = Double(insights.customerSatisfactionScore)
            }
            let turns = transcript.segments.enumerated().map { index, segment in
                StoredTurn(
                    sequence: index, segment: segment,
                    spokenAt: conversation.createdAt.addingTimeInterval(segment.start ?? 0),
                    sentiment: text.segments.first { $0.segmentID == segment.id }?.sentiment.label.rawValue, intent: nil)
            }
            if results.profile == .fieldVisit {
                // Kept before the results: a job resumed after a crash between the two replaces them.
                let worded = await CoachingWriter(model: context.prospectWording).reword(text.coachingMoments)
                _ = try await context.core.fieldVisits.keepFindings(
                    of: conversation, upsells: FieldFindings.upsells(from: text, of: conversation), moments: FieldFindings.moments(worded, of: conversation))
            }
            try await store.saveResults(conversation, turns: turns)
            if results.profile == .fieldVisit { try await FieldWebhooks.analysed(conversation, context: context) }
            hub.publish(.processing(ProcessingState(uploadId: uploadID, stage: "completed", progress: 100, status: "completed",
                                                    estimatedTime: 0, updatedAt: Date()), score: scores.overall), to: topic)
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
        let previous = conversation.details.processing
        let state = ProcessingState(
            uploadId: uploadID, stage: previous?.stage ?? "decoding", progress: previous?.progress ?? 0, status: "failed",
            error: reason, estimatedTime: nil, updatedAt: Date())
        conversation.details.processing = state
        conversation.status = .failed
        try await context.core.conversations.updateConversation(conversation)
        context.realtime.publish(.processing(state, score: nil), to: conversation.publicID)
    }
}

/// Scores by the conversation's profile: a speech on its delivery and words; a call or a
/// visit on the sales and service skills the text analysis scores.
func score(_ profile: AnalysisProfile, text: TextAnalysis, delivery: SpeechMetrics) -> ScoreCard {
    switch profile {
    case .speech, .practice:
        return SpeechCoach.score(metrics: delivery, analysis: text)
    case .salesCall, .fieldVisit:
        let scores = text.scores
        var categories: [String: CategoryScore] = [
            "rapport_building": CategoryScore(scores.rapportBuilding, weight: 0.2),
            "discovery": CategoryScore(scores.discovery, weight: 0.2),
            "objection_handling": CategoryScore(scores.objectionHandling, weight: 0.2),
            "closing": CategoryScore(scores.closingEffectiveness, weight: 0.2),
            "talk_time_balance": CategoryScore(scores.talkTimeBalance, weight: 0.2),
        ]
        if profile == .fieldVisit { categories["customer_satisfaction"] = CategoryScore(scores.customerSatisfaction, weight: 0.2) }
        return ScoreCard(overall: scores.overall, categories: categories, benchmarks: [:], improvements: [],
                         fluency: text.fluency.overallFluency)
    }
}

extension CategoryScore {
    /// A text-analysis score as a weighted category, its findings kept.
    init(_ score: Score, weight: Double) {
        self.init(score: score.value, weight: weight, factors: [:], findings: score.findings)
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
