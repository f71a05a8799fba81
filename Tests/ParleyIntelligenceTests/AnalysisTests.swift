import Foundation
import ParleyDomain
import Testing

@testable import ParleyIntelligence

/// Behaviour of each analysis with known truth.
@Suite("Text analysis")
struct AnalysisTests {
    let analyzer = TextAnalyzer()

    func line(_ text: String, _ speaker: SpeakerRole = .counterpart) -> SegmentAnalysis {
        analyzer.analyze(segment: TranscriptSegment(id: 1, speaker: speaker, text: text))
    }

    /// A segment whose words are timed 0.5 s apart from `start`.
    func timed(_ id: Int, _ speaker: SpeakerRole, _ text: String, start: Double) -> TranscriptSegment {
        let words = text.split(separator: " ").enumerated().map { index, word in
            Word(text: String(word), start: start + Double(index) * 0.5, end: start + Double(index) * 0.5 + 0.4, confidence: 0.9)
        }
        return TranscriptSegment(id: id, speaker: speaker, text: text, start: start, end: words.last!.end, words: words)
    }

    @Test func tokensContractionsAndNumbers() {
        let tokens = Tokenizer.tokens("We've paid $35,000 for the 3rd unit, isn't that crazy?")
        #expect(tokens.map(\.text) == ["We've", "paid", "$", "35,000", "for", "the", "3rd", "unit", ",", "isn't", "that", "crazy", "?"])
        let terms = Tokenizer.terms(tokens).map(\.text)
        #expect(terms.contains("have") && terms.contains("not") && terms.contains("35000"))
        let analysis = analyzer.analyze(Transcript(segments: [TranscriptSegment(id: 1, speaker: .counterpart, text: "It's about fifteen years old and cost 1,200 dollars.")]))
        #expect(analysis.basics.numbers.map(\.value) == [15, 1200])
        #expect(analysis.basics.contractionCount == 1 && analysis.basics.sentenceCount == 1)
    }

    @Test func fillersCarryWordTimestampsAndRates() {
        let segment = timed(7, .rep, "Um so like we basically you know fix it", start: 10)
        let analysis = analyzer.analyze(Transcript(segments: [segment]))
        #expect(analysis.fluency.fillers.map(\.word) == ["um", "like", "basically", "you know"])
        #expect(analysis.fluency.fillers.map(\.start) == [10, 11, 12, 12.5])
        #expect(analysis.fluency.fillers.allSatisfy { $0.segmentID == 7 })
        #expect(analysis.fluency.fillerRatePer100Words == 44.44)  // 4 fillers in 9 words
        #expect(analysis.fluency.fillerWords.first { $0.word == "um" }?.timestamps == [10])
    }

    @Test func likeAsAVerbIsNotAFiller() {
        #expect(line("I like the new thermostat you installed.").fillers.isEmpty)
        #expect(line("We would like to get this scheduled soon.").fillers.isEmpty)
        #expect(line("It looks like the pipe is leaking again.").fillers.isEmpty)
        #expect(line("Like I said, the warranty expired.").fillers.isEmpty)
        #expect(line("It's like, uh, making this weird sound.").fillers.map(\.word) == ["like", "uh"])
        #expect(line("What kind of system do you have?").fillers.isEmpty)
        #expect(line("Do you know the model number?").fillers.isEmpty)
    }

    @Test func repetitionsAndGrammar() {
        let analysis = analyzer.analyze(Transcript(segments: [
            TranscriptSegment(id: 1, speaker: .rep, text: "We we can install a energy efficient unit."),
            TranscriptSegment(id: 2, speaker: .rep, text: "He don't think they is ready, and there is three units."),
            TranscriptSegment(id: 3, speaker: .rep, text: "It takes an hour and a unit costs less. It's a one-time fee."),
        ]))
        #expect(analysis.fluency.repetitions.map(\.phrase) == ["we"])
        let suggestions = analysis.fluency.grammarErrors.map(\.suggestion)
        #expect(suggestions.contains("a -> an"))
        #expect(suggestions.contains("don't -> doesn't"))
        #expect(suggestions.contains("is -> are"))
        #expect(suggestions.contains("we we -> we"))
        #expect(!analysis.fluency.grammarErrors.contains { $0.evidence.segmentID == 3 })
        let article = analysis.fluency.grammarErrors.first { $0.suggestion == "a -> an" }
        #expect(article?.position == 18 && article?.evidence.phrase == "a energy")
    }

    @Test func questionsOpenClosedAndWithoutMarks() {
        #expect(line("what would success look like for you", .rep).question == .open)
        #expect(line("how many locations are you running right now", .rep).question == .closed)
        #expect(line("Tell me about the biggest challenge you face", .rep).question == .open)
        #expect(line("I was wondering if you had a chance to look", .rep).question == .closed)
        #expect(line("So you're using the older units?", .rep).question == .closed)
        #expect(line("What we do is install a sensor on each unit.", .rep).question == nil)
        #expect(line("When the compressor fails, we replace it.", .rep).question == nil)
        #expect(line("It isn't that expensive compared to what we pay.", .rep).question == nil)
    }

    @Test func sentimentHandlesNegationIntensifiersAndPoliteRefusals() {
        #expect(line("The technician was really professional and thorough.").sentiment.label == .positive)
        #expect(line("I wouldn't say it's great.").sentiment.label == .negative)
        #expect(line("Not bad at all, actually.").sentiment.label == .positive)
        #expect(line("Thanks, but we're all set.").sentiment.label == .negative)
        #expect(line("The price is not an issue for us.").sentiment.label == .neutral)
        #expect(line("The unit is making a loud grinding noise.").sentiment.label == .negative)
        let strong = line("This is really terrible.").sentiment.score
        let plain = line("This is terrible.").sentiment.score
        #expect(strong < plain && plain < 0 && strong >= -1)
        #expect(line("I understand, that sounds frustrating.", .rep).tones.contains { $0.tone == .empathetic })
        #expect(line("Um, I guess, maybe, I'm not sure.", .counterpart).tones.contains { $0.tone == .hesitant })
    }

    @Test func objectionsByTypeAndNegatedOnes() {
        #expect(line("Honestly it's just too expensive for us right now.").objections.map(\.type) == [.price])
        #expect(line("We're pretty happy with our current provider.").objections.map(\.type) == [.competitor])
        #expect(line("I'd have to run it by my boss first.").objections.map(\.type) == [.authority])
        #expect(line("We're swamped, maybe next quarter.").objections.map(\.type) == [.timing])
        #expect(line("We don't really need that right now.").objections.map(\.type).contains(.need))
        #expect(line("Sounds too good to be true.").objections.map(\.type) == [.trust])
        #expect(line("The price is not an issue for us.").objections.isEmpty)
        #expect(line("It's not too expensive, that seems fair.").objections.isEmpty)
        #expect(line("We're not happy with our current provider at all.").objections.isEmpty)
        #expect(line("I don't need to check with anyone, I make the calls here.").objections.isEmpty)
        #expect(line("I know budgets are tight this year.", .rep).objections.isEmpty)
        let objection = line("Budget is tight this quarter.").objections[0]
        #expect(objection.evidence.phrase == "Budget is tight" && objection.rule == "budget is tight")
    }

    @Test func interestSignals() {
        #expect(line("Can you send me a quote for the replacement?").interestSignals.map(\.type) == [.pricingInterest])
        #expect(line("I'd like to see a demo before we decide.").interestSignals.map(\.type) == [.demoInterest])
        #expect(line("How soon could you get a crew out here?").interestSignals.map(\.type) == [.timelineInterest])
        #expect(line("That sounds really interesting, tell me more.").interestSignals.map(\.type) == [.verbalInterest])
        #expect(line("We're not interested, thank you.").interestSignals.isEmpty)
        #expect(line("The price is too high.").interestSignals.isEmpty)
    }

    @Test func intentsAndConversationState() {
        #expect(line("Hi, this is Dana from Northwind, thanks for taking my call.", .rep).intents.map(\.type).contains(.greeting))
        #expect(line("What does your current process look like?", .rep).intents.map(\.type) == [.discoveryQuestion])
        #expect(line("Our maintenance plan cuts emergency repairs by forty percent.", .rep).intents.map(\.type) == [.valueProposition])
        #expect(line("I totally understand, budget is a concern for many of our customers.", .rep).intents.map(\.type).contains(.objectionHandling))
        #expect(line("Shall we get you started on the annual plan?", .rep).intents.map(\.type) == [.closingAttempt])
        let analysis = analyzer.analyze(Transcript(segments: [
            TranscriptSegment(id: 1, speaker: .rep, text: "Hi, this is Dana from Northwind."),
            TranscriptSegment(id: 2, speaker: .rep, text: "What does your current setup look like?"),
            TranscriptSegment(id: 3, speaker: .counterpart, text: "It's too expensive to replace."),
            TranscriptSegment(id: 4, speaker: .rep, text: "Would you like to move forward with the installation next Tuesday?"),
        ]))
        #expect(analysis.segments.map(\.state) == [.greeting, .discovery, .objectionHandling, .closing])
        #expect(analysis.conversationState == .closing)
    }

    @Test func upsellsFromTheCatalogueWithValues() {
        let upsells = line("We've had to fix this fire pump three times this year, it's about fifteen years old.").upsells
        let replacement = upsells.first { $0.type == "equipment_replacement" }
        #expect(replacement?.title == "Fire Pump Replacement" && replacement?.priority == "high" && replacement?.estimatedValue == 12000)
        #expect(upsells.contains { $0.type == "maintenance_plan" })
        #expect(line("We already have a maintenance plan with them.").upsells.isEmpty)
        #expect(line("We're opening a new warehouse next year.", .rep).upsells.isEmpty)
        let custom = UpsellCatalogue(entries: [UpsellCatalogue.Entry(type: "solar", title: "Solar Panels", description: "Roof solar.", estimatedValue: 18000, triggers: ["solar|panels", "electric_bill|power_bill ~ high"])])
        let found = TextAnalyzer(catalogue: custom).analyze(segment: TranscriptSegment(id: 3, speaker: .counterpart, text: "Our power bill is so high lately.", start: 5, end: 7)).upsells
        #expect(found.map(\.type) == ["solar"] && found[0].estimatedValue == 18000 && found[0].timestampInCall != nil)
    }

    @Test func talkDynamicsFromTimedTurns() {
        let transcript = Transcript(segments: [
            TranscriptSegment(id: 1, speaker: .rep, text: "Hello there, thanks for your time today.", start: 0, end: 6),
            TranscriptSegment(id: 2, speaker: .counterpart, text: "Sure.", start: 7, end: 9),
            TranscriptSegment(id: 3, speaker: .rep, text: "So what does your week look like for the install?", start: 8.5, end: 20),
            TranscriptSegment(id: 4, speaker: .counterpart, text: "Busy, but Friday could work.", start: 22, end: 26),
        ])
        let dynamics = analyzer.analyze(transcript).dynamics
        #expect(dynamics.talkSeconds["rep"] == 17.5 && dynamics.talkSeconds["counterpart"] == 6)
        #expect(dynamics.talkToListenRatio == 2.92 && dynamics.repTalkShare == 0.74)
        #expect(dynamics.interruptions.count == 1 && dynamics.interruptions[0].by == .rep && dynamics.interruptions[0].overlapSeconds == 0.5)
        #expect(dynamics.speakerSwitches == 3 && dynamics.interactivity == 6.92)
        #expect(dynamics.longestMonologue?.segmentIDs == [3])
        #expect(dynamics.patience == nil || dynamics.patience == 0)
    }

    @Test func coachingMomentsNameWhatHappenedAndABetterResponse() {
        let transcript = Transcript(segments: [
            TranscriptSegment(id: 1, speaker: .rep, text: "Hi, I'm John from ClaraHVAC.", start: 0, end: 2),
            TranscriptSegment(id: 2, speaker: .counterpart, text: "We've had to fix this pump three times this year.", start: 170, end: 176),
            TranscriptSegment(id: 3, speaker: .rep, text: "Okay, I'll take a look at the gauges.", start: 177, end: 180),
            TranscriptSegment(id: 4, speaker: .counterpart, text: "Honestly it's too expensive to keep repairing.", start: 200, end: 203),
            TranscriptSegment(id: 5, speaker: .rep, text: "The gauge reads forty psi.", start: 204, end: 206),
            TranscriptSegment(id: 6, speaker: .counterpart, text: "How much would a replacement cost?", start: 815, end: 818),
            TranscriptSegment(id: 7, speaker: .rep, text: "I'll have to get back to you on that.", start: 820, end: 822),
            TranscriptSegment(id: 8, speaker: .counterpart, text: "Alright.", start: 823, end: 824),
        ])
        let analysis = analyzer.analyze(transcript)
        let categories = Set(analysis.coachingMoments.map(\.category))
        #expect(categories.isSuperset(of: ["objection_ignored", "upsell_missed", "no_next_step"]))
        let quote = analysis.coachingMoments.first { $0.title == "Missed Quote Follow-up" }
        #expect(quote?.timestampInCall == 820 && quote?.severity == "important")
        #expect(quote?.exampleBetterResponse.isEmpty == false && quote?.whatShouldHappen.isEmpty == false)
        #expect(analysis.coachingMoments.allSatisfy { !$0.evidence.isEmpty || $0.category == "talk_time" })
        // Scores list the findings that moved them, with evidence.
        let objection = analysis.scores.objectionHandling
        #expect(objection.value < 50 && objection.findings.contains { $0.impact < 0 && !$0.evidence.isEmpty })
        #expect(analysis.scores.closingEffectiveness.findings.contains { $0.description == "No Next Step Agreed" })
        for score in [analysis.scores.rapportBuilding, analysis.scores.discovery, analysis.scores.closingEffectiveness, analysis.scores.talkTimeBalance] {
            #expect((0...100).contains(score.value))
            #expect(abs(score.value - min(100, max(0, score.base + score.findings.reduce(0) { $0 + $1.impact }))) < 0.051)
        }
    }

    @Test func summaryAndActionItemsAreExtractive() {
        let transcript = Transcript(segments: [
            TranscriptSegment(id: 1, speaker: .rep, text: "Good morning, thanks for having me."),
            TranscriptSegment(id: 2, speaker: .counterpart, text: "Our boiler is about twenty years old and it keeps breaking."),
            TranscriptSegment(id: 3, speaker: .counterpart, text: "Can you send me a quote for a new boiler?"),
            TranscriptSegment(id: 4, speaker: .rep, text: "Sure, I'll send the replacement quote by tomorrow afternoon."),
        ])
        let analysis = analyzer.analyze(transcript)
        #expect(analysis.actionItems.count == 2)
        #expect(analysis.actionItems.allSatisfy { $0.owner == .rep })
        #expect(analysis.actionItems.contains { $0.due == "tomorrow afternoon" })
        #expect(analysis.summary.method == "extractive")
        let allText = transcript.segments.map(\.text).joined(separator: " ")
        #expect(analysis.summary.sentences.allSatisfy { allText.contains($0.phrase) })
        #expect(analysis.summary.text.contains("twenty years old"))
        #expect(analysis.topics.map(\.name).contains("Equipment Age"))
    }

    @Test func topPhrasesAcrossConversations() {
        let conversations = [
            "The billing issue again, my billing issue is not fixed.",
            "I have a billing issue with my account access.",
            "Account access is broken, account access please.",
        ].map { analyzer.analyze(Transcript(segments: [TranscriptSegment(id: 1, speaker: .counterpart, text: $0)])).keyPhrases }
        let top = KeyPhrases.top(across: conversations)
        #expect(top.first { $0.phrase == "billing issue" }?.count == 2)
        #expect(top.first { $0.phrase == "billing issue" }?.frequency == 66.7)
    }

    @Test func speechCoachingCategoriesAndFactors() {
        let transcript = Transcript(segments: [timed(1, .rep, "Good morning everyone and thank you for joining us today we will look at three ideas that you can use right away", start: 0)])
        let good = SpeechMetrics(
            durationSeconds: 9, wordsPerMinute: 150, pitchMeanHz: 120, pitchStdHz: 25, loudnessMeanDb: -20, loudnessStdDb: 5,
            pauses: [.init(start: 2, end: 2.6)], wpmTimeline: [148, 152, 150], recognitionConfidence: 0.95)
        let poor = SpeechMetrics(
            durationSeconds: 9, wordsPerMinute: 230, pitchMeanHz: 120, pitchStdHz: 3, loudnessMeanDb: -45, loudnessStdDb: 0.5,
            pauses: [.init(start: 1, end: 5)], wpmTimeline: [120, 260, 300], recognitionConfidence: 0.6)
        let a = SpeechCoach.score(metrics: good, transcript: transcript)
        let b = SpeechCoach.score(metrics: poor, transcript: transcript)
        #expect(Set(a.categories.keys) == ["clarity", "pace", "engagement", "confidence"])
        #expect(Set(a.categories["clarity"]!.factors.keys) == ["pronunciation", "articulation", "volume"])
        #expect(Set(a.categories["pace"]!.factors.keys) == ["speed", "rhythm", "pauses"])
        #expect(Set(a.categories["engagement"]!.factors.keys) == ["enthusiasm", "variety", "connection"])
        #expect(a.categories["confidence"]!.weight == 0.30)
        #expect(a.overall > b.overall + 15)
        #expect(b.improvements.contains { $0.category == "pace" || $0.category == "clarity" })
        #expect(a.categories.values.allSatisfy { !$0.findings.isEmpty })
    }

    @Test func leadScoring() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let strong = LeadScorer.score(
            lead: LeadProfile(email: "jd@acme.com", phone: "+1 555", company: "Acme", title: "VP of Sales", source: "referral"),
            activities: [LeadActivity(type: "demo_requested", at: now.addingTimeInterval(-86_400)), LeadActivity(type: "pricing_page_visit", at: now)],
            now: now)
        let weak = LeadScorer.score(lead: LeadProfile(email: "someone@gmail.com"), activities: [LeadActivity(type: "unsubscribed", at: now.addingTimeInterval(-90 * 86_400))], now: now)
        #expect(strong.conversionProbability > 0.7 && weak.conversionProbability < 0.3)
        #expect(strong.positiveFactors.contains("Senior title/decision maker") && strong.positiveFactors.contains("Requested product demo"))
        #expect(strong.recommendations.first == "High priority - Schedule immediate call")
        #expect(weak.negativeFactors.contains("Unsubscribed from emails"))
        for score in [strong, weak] {
            for value in [score.overallScore, score.demographicScore, score.behavioralScore, score.engagementScore, score.intentScore, score.conversionProbability] {
                #expect((0...1).contains(value))
            }
        }
    }

    @Test func readsPlainSpeakerAndJSONTranscripts() throws {
        let reader = TranscriptReader()
        let speaker = try reader.read(Data("Technician: Hi, I'm John.\nCustomer: Hello, thanks for coming.\nJohn: Let me check the gauge.\n".utf8))
        #expect(speaker.segments.map(\.speaker) == [.rep, .counterpart, .unknown])
        let pair = try reader.read(Data("Dana: Hi there.\nCustomer: Hello.\nDana: How are you?\n".utf8))
        #expect(pair.segments.map(\.speaker) == [.rep, .counterpart, .rep])
        let plain = try reader.read(Data("just some words\nand more words\n".utf8))
        #expect(plain.segments.count == 2 && plain.segments.allSatisfy { $0.speaker == .unknown })
        let json = try reader.read(Data(#"{"segments":[{"segment_id":4,"speaker_type":"technician","text":"Let me check","start_time":45.2,"end_time":47.8}]}"#.utf8))
        #expect(json.segments.first?.id == 4 && json.segments.first?.start == 45.2 && json.segments.first?.speaker == .rep)
        let words = try reader.read(Data(#"[{"speaker":"rep","words":[{"word":"um","start":1.2,"end":1.4},{"word":"hello","start":1.5,"end":1.9}]}]"#.utf8))
        #expect(words.segments.first?.text == "um hello" && words.segments.first?.words.count == 2)
        #expect(throws: DomainError.self) { try reader.read(Data("   \n".utf8)) }
        #expect(throws: DomainError.self) { try reader.read(Data("{\"nope\": 1}".utf8)) }
    }

    @Test func lineReportHasTheDocumentedKeys() throws {
        let report = LineReport(line("Um, how much would a new fifteen-ton unit cost?"))
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any])
        for key in ["text", "fillers", "question", "sentiment", "intents", "objections", "interest_signals", "upsells"] {
            #expect(object.keys.contains(key), "missing \(key)")
        }
        let none = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(LineReport(line("Fine.")))) as? [String: Any])
        #expect(none["question"] is NSNull)
        #expect((object["fillers"] as? [[String: Any]])?.first?["word"] as? String == "um")
        #expect((object["sentiment"] as? [String: Any])?["label"] != nil)
    }

    @Test func longConversationAnalysesCompletely() {
        let transcript = SyntheticConversation.transcript(minutes: 10)
        let analysis = analyzer.analyze(transcript)
        #expect(analysis.segments.count == transcript.segments.count)
        #expect(analysis.dynamics.estimated == false && analysis.basics.durationSeconds ?? 0 >= 590)
        #expect(!analysis.objections.isEmpty && !analysis.upsells.isEmpty && !analysis.coachingMoments.isEmpty)
    }
}
