import Foundation
import ParleyDomain

/// An incremental result for live sessions, shaped like the API's `metrics:update` event.
public struct AudioAnalysisUpdate: Sendable, Codable, Equatable {
    /// End of the second of audio this update describes.
    public var timestamp: Double
    /// Speaking rate so far.
    public var wpm: Double?
    /// Mean pitch of that second in Hz.
    public var pitch: Double?
    /// Mean loudness of that second's speech in dBFS.
    public var volume: Double?
    /// Pauses found since the previous update.
    public var pauses: [Pause]
    /// Whether a speech segment is open.
    public var speaking: Bool
}

/// The audio analysis: feed samples in chunks of any size, read updates, then `finish()`.
///
/// Batch analysis is this same analyser fed in one chunk, and every stage only ever looks at
/// absolute sample and frame positions, so the final result does not depend on how the audio
/// was chunked. Voice activity decisions trail the input by about 0.75 s (the noise floor's
/// lookahead plus the pause hangover), so updates describe the audio of a moment ago.
public struct AudioAnalyzer: Sendable {
    public let options: AnalysisOptions
    public let inputSampleRate: Int

    static let sampleRate = PCMAudio.analysisSampleRate
    /// Samples per 10 ms frame.
    static let hop = 160
    static let hopSeconds = 0.01
    static let framesPerSecond = 100
    /// Samples per `append` when `analyze` feeds a whole recording.
    static let batchSlice = 1 << 16

    private var resampler: Resampler?
    private var inputCount = 0
    private var ended = false

    // Signal intake at 16 kHz.
    private var sampleCount = 0
    private var highPass50: Biquad
    private var lowPass1500a: Biquad
    private var lowPass1500b: Biquad
    private var highPass200: Biquad
    private var lowPass4000: Biquad
    /// The low band (50–1500 Hz) YIN and syllable nuclei read; `lowBand[0]` is sample `lowBandStart`.
    private var lowBand: [Float] = []
    private var lowBandStart = 0
    /// Sums of squares per 10 ms block: full band, speech band, low band.
    private var blocks: [SIMD4<Float>] = []
    private var blocksStart = 0
    private var openBlock = SIMD4<Float>()
    private var sumSquares = 0.0
    private var peak: Float = 0
    private var clipRun = 0
    private var clipSign: Float = 0
    private var clippedSamples = 0
    private var clipEvents = 0

    // Frames.
    private var pitchTracker: PitchTracker
    private var pitchWindow: [Float]
    private var nextFrame = 0
    private var detector = VoiceActivityDetector()
    private var segmenter: SpeechSegmenter
    private var nuclei = SyllableNuclei()

    // What the result is made of.
    private var track = FrameTrack(hop: hopSeconds, pitch: [], loudness: [], speech: [])
    private var pitchValues = Distribution(lowest: 0, highest: 60, binWidth: 0.05)
    private var speechLoudness = Distribution(lowest: -120, highest: 0, binWidth: 0.05)
    private var allLoudness = Distribution(lowest: -120, highest: 0, binWidth: 0.05)
    private var speechFrames = 0
    private var voicedSpeechFrames = 0
    private var syllables = 0
    private var seconds: [Bucket] = []
    private var segments: [Range<Int>] = []
    /// Pauses in frames, and whether a held vowel ("uhhh") came right before each.
    private var pauses: [(frames: Range<Int>, afterHeldVowel: Bool)] = []
    private var heldVowels = HeldVowelDetector()
    private var lastSegmentEndedHeld = false
    private var reportedPauses = 0
    private var words: [Word] = []

    /// Per-second sums behind the timeline and the live updates.
    private struct Bucket: Sendable {
        var frames = 0
        var voiced = 0
        var pitchSum = 0.0
        var speech = 0
        var loudnessSum = 0.0
        var syllables = 0
    }

    public init(options: AnalysisOptions = AnalysisOptions(), inputSampleRate: Int = PCMAudio.analysisSampleRate) {
        self.options = options
        self.inputSampleRate = inputSampleRate
        if inputSampleRate > 0 && inputSampleRate != Self.sampleRate {
            resampler = Resampler(from: inputSampleRate, to: Self.sampleRate)
        }
        highPass50 = Biquad(.highPass, cutoff: 50, sampleRate: Self.sampleRate)
        lowPass1500a = Biquad(.lowPass, cutoff: 1_500, sampleRate: Self.sampleRate)
        lowPass1500b = Biquad(.lowPass, cutoff: 1_500, sampleRate: Self.sampleRate)
        highPass200 = Biquad(.highPass, cutoff: 200, sampleRate: Self.sampleRate)
        lowPass4000 = Biquad(.lowPass, cutoff: 4_000, sampleRate: Self.sampleRate)
        pitchTracker = PitchTracker(
            minimumPitch: options.minimumPitch, maximumPitch: options.maximumPitch,
            voicingThreshold: options.voicingThreshold)
        pitchWindow = [Float](repeating: 0, count: pitchTracker.span)
        segmenter = SpeechSegmenter(minimumPause: options.minimumPause, hop: Self.hopSeconds)
    }

    /// Analyses a whole recording; `words` (from a recogniser) make the speaking rate exact.
    public static func analyze(
        _ audio: PCMAudio, words: [Word] = [], options: AnalysisOptions = AnalysisOptions()
    ) -> AudioAnalysis {
        var analyzer = AudioAnalyzer(options: options, inputSampleRate: audio.sampleRate)
        analyzer.append(words: words)
        // Feeding in slices changes nothing in the result (see the type's comment) and keeps the
        // working buffers small next to the audio itself.
        var start = 0
        repeat {
            let end = min(audio.samples.count, start + Self.batchSlice)
            _ = analyzer.append(Array(audio.samples[start..<end]))
            start = end
        } while start < audio.samples.count
        return analyzer.finish()
    }

    /// Adds recognised words (live recognition delivers them as it goes).
    public mutating func append(words newWords: [Word]) {
        words.append(contentsOf: newWords)
    }

    /// Feeds samples at `inputSampleRate`; returns one update per second of audio now decided.
    public mutating func append(_ samples: [Float]) -> [AudioAnalysisUpdate] {
        guard inputSampleRate > 0, !ended else { return [] }
        inputCount += samples.count
        if resampler != nil {
            ingest(resampler!.process(samples))
        } else {
            ingest(samples)
        }
        return analyseFrames(final: false)
    }

    /// Ends the input: analyses what is left and returns the last updates (the final one may
    /// cover less than a second). Calling it again, or appending afterwards, does nothing.
    public mutating func end() -> [AudioAnalysisUpdate] {
        guard !ended else { return [] }
        ended = true
        if resampler != nil { ingest(resampler!.finish()) }
        if sampleCount % Self.hop != 0 {
            blocks.append(openBlock)
            openBlock = SIMD4<Float>()
        }
        var updates = analyseFrames(final: true)
        for (frame, active) in detector.finish() {
            if let update = consume(frame, active: active) { updates.append(update) }
        }
        if let segment = segmenter.finish() { add(segment) }
        let frames = (sampleCount + Self.hop - 1) / Self.hop
        if frames % Self.framesPerSecond != 0 {
            var last = update(second: frames / Self.framesPerSecond)
            last.timestamp = Double(frames) * Self.hopSeconds
            updates.append(last)
        } else if reportedPauses < pauses.count, !updates.isEmpty {
            updates[updates.count - 1].pauses += pauses[reportedPauses...].map { typedPause($0) }
            reportedPauses = pauses.count
        }
        return updates
    }

    /// Ends the input and returns the analysis of everything fed.
    public mutating func finish() -> AudioAnalysis {
        _ = end()
        return result()
    }

    // MARK: Signal intake

    private mutating func ingest(_ samples: [Float]) {
        for input in samples {
            let x: Float = input.isNaN ? 0 : min(1, max(-1, input))
            let magnitude = abs(x)
            peak = max(peak, magnitude)
            sumSquares += Double(x * x)
            trackClipping(x, magnitude: magnitude)

            let speech = lowPass4000.process(highPass200.process(x))
            let low = lowPass1500b.process(lowPass1500a.process(highPass50.process(x)))
            lowBand.append(low)
            openBlock += SIMD4(x * x, speech * speech, low * low, 0)
            sampleCount += 1
            if sampleCount % Self.hop == 0 {
                blocks.append(openBlock)
                openBlock = SIMD4<Float>()
            }
        }
    }

    private mutating func trackClipping(_ x: Float, magnitude: Float) {
        let sign: Float = x < 0 ? -1 : 1
        if magnitude >= 0.999 && (clipRun == 0 || sign == clipSign) {
            clipRun += 1
            clipSign = sign
            if clipRun == 3 {
                clippedSamples += 3
                clipEvents += 1
            } else if clipRun > 3 {
                clippedSamples += 1
            }
        } else {
            clipRun = magnitude >= 0.999 ? 1 : 0
            clipSign = sign
        }
    }

    // MARK: Frames

    private mutating func analyseFrames(final: Bool) -> [AudioAnalysisUpdate] {
        let half = pitchTracker.span / 2
        let frameTotal = (sampleCount + Self.hop - 1) / Self.hop
        var updates: [AudioAnalysisUpdate] = []
        while nextFrame < frameTotal {
            let centre = nextFrame * Self.hop + Self.hop / 2
            let windowStart = centre - half
            if !final && (windowStart + pitchTracker.span > sampleCount || nextFrame + 2 > blocks.count + blocksStart) {
                break
            }
            let frame = measure(frame: nextFrame, windowStart: windowStart)
            nextFrame += 1
            for (decided, active) in detector.push(frame) {
                if let update = consume(decided, active: active) { updates.append(update) }
            }
        }
        // Forget samples and blocks no future frame reads.
        let keepFrom = nextFrame * Self.hop + Self.hop / 2 - half
        if keepFrom - lowBandStart > 32_768 {
            let drop = keepFrom - lowBandStart
            lowBand.removeFirst(drop)
            lowBandStart += drop
        }
        if nextFrame - 1 - blocksStart > 1_024 {
            let drop = nextFrame - 1 - blocksStart
            blocks.removeFirst(drop)
            blocksStart += drop
        }
        return updates
    }

    private mutating func measure(frame index: Int, windowStart: Int) -> FrameFeatures {
        var energy = SIMD4<Float>()
        for block in (index - 1)...(index + 1) {
            let position = block - blocksStart
            if block >= 0 && position < blocks.count { energy += blocks[position] }
        }
        energy /= Float(3 * Self.hop)
        let loudness = Self.decibels(energy[0])
        let speechBand = Self.decibels(energy[1])
        let lowBandLevel = Self.decibels(energy[2])

        var estimate = PitchTracker.Estimate(frequency: 0, aperiodicity: 1)
        if lowBandLevel > -75 {
            let span = pitchTracker.span
            let available = lowBandStart + lowBand.count
            lowBand.withUnsafeBufferPointer { source in
                pitchWindow.withUnsafeMutableBufferPointer { window in
                    for offset in 0..<span {
                        let sample = windowStart + offset
                        window[offset] = sample >= lowBandStart && sample < available ? source[sample - lowBandStart] : 0
                    }
                }
            }
            estimate = pitchWindow.withUnsafeBufferPointer { pitchTracker.estimate($0) }
        }
        return FrameFeatures(
            index: index, loudness: loudness, speechBand: speechBand, vowelBand: lowBandLevel, pitch: estimate)
    }

    static func decibels(_ meanSquare: Float) -> Float {
        meanSquare > 1e-12 ? 10 * log10(meanSquare) : -120
    }

    /// Takes one decided frame into every summary; returns an update when a second completes.
    private mutating func consume(_ frame: FrameFeatures, active: Bool) -> AudioAnalysisUpdate? {
        let index = frame.index
        let time = Double(index) * Self.hopSeconds
        let pitch = frame.pitch.frequency
        if options.keepsFrames {
            track.pitch.append(pitch)
            track.loudness.append(frame.loudness)
            track.speech.append(active)
        }
        let second = index / Self.framesPerSecond
        while seconds.count <= second { seconds.append(Bucket()) }
        seconds[second].frames += 1
        if pitch > 0 {
            pitchValues.add(Double(pitch), scaled: Self.semitones(Double(pitch)), at: time)
            seconds[second].voiced += 1
            seconds[second].pitchSum += Double(pitch)
        }
        allLoudness.add(Double(frame.loudness), scaled: Double(frame.loudness), at: time)
        if active {
            speechFrames += 1
            if pitch > 0 { voicedSpeechFrames += 1 }
            speechLoudness.add(Double(frame.loudness), scaled: Double(frame.loudness), at: time)
            seconds[second].speech += 1
            seconds[second].loudnessSum += Double(frame.loudness)
        }
        if let nucleus = nuclei.push(frame, active: active) {
            syllables += 1
            seconds[nucleus / Self.framesPerSecond].syllables += 1
        }
        if active {
            heldVowels.push(frame)
        } else {
            heldVowels.interrupt()
        }
        if let segment = segmenter.push(index: index, active: active) { add(segment) }
        guard (index + 1) % Self.framesPerSecond == 0 else { return nil }
        return update(second: second)
    }

    private mutating func add(_ segment: Range<Int>) {
        if let previous = segments.last {
            pauses.append((previous.upperBound..<segment.lowerBound, lastSegmentEndedHeld))
        }
        // A held vowel that stopped within 50 ms of the segment's end ends the segment.
        lastSegmentEndedHeld = heldVowels.latest.map { abs($0.upperBound - segment.upperBound) <= 5 } ?? false
        segments.append(segment)
    }

    private mutating func update(second: Int) -> AudioAnalysisUpdate {
        let bucket = seconds[second]
        let newPauses = pauses[reportedPauses...].map { typedPause($0) }
        reportedPauses = pauses.count
        return AudioAnalysisUpdate(
            timestamp: Double(second + 1), wpm: speakingRate().wpm,
            pitch: bucket.voiced > 0 ? bucket.pitchSum / Double(bucket.voiced) : nil,
            volume: bucket.speech > 0 ? bucket.loudnessSum / Double(bucket.speech) : nil,
            pauses: newPauses, speaking: segmenter.isSpeaking)
    }

    static func semitones(_ frequency: Double) -> Double { 12 * log2(frequency / 50) }
    static func hertz(semitones: Double) -> Double { 50 * pow(2, semitones / 12) }

    // MARK: Result

    private var countedWords: [Word] {
        words.filter { word in word.end >= word.start && word.text.contains { $0.isLetter || $0.isNumber } }
    }

    private func typedPause(_ pause: (frames: Range<Int>, afterHeldVowel: Bool)) -> Pause {
        let start = Double(pause.frames.lowerBound) * Self.hopSeconds
        let end = Double(pause.frames.upperBound) * Self.hopSeconds
        return Pause(
            start: start, end: end,
            type: PauseClassifier(options: options).type(
                start: start, end: end, words: countedWords, afterHeldVowel: pause.afterHeldVowel))
    }

    private func speakingRate() -> SpeakingRate {
        let speechTime = segments.reduce(0) { $0 + Double($1.count) } * Self.hopSeconds
        let articulation = speechTime > 0 ? Double(syllables) / speechTime : nil
        // The acoustic estimate is always computed, so a recogniser's count can be checked against it.
        let estimated = Double(syllables) / options.syllablesPerWord
        let speechSpan =
            segments.isEmpty ? 0 : Double(segments.last!.upperBound - segments.first!.lowerBound) * Self.hopSeconds
        let estimate = speechSpan > 0 && syllables > 0 ? estimated / speechSpan * 60 : nil
        let counted = countedWords
        if let first = counted.min(by: { $0.start < $1.start }), let last = counted.max(by: { $0.end < $1.end }) {
            let span = last.end - first.start
            return SpeakingRate(
                wpm: span > 0 ? Double(counted.count) / span * 60 : nil, source: .words,
                words: Double(counted.count), syllables: syllables, span: max(0, span), articulationRate: articulation,
                syllableEstimate: estimate)
        }
        return SpeakingRate(
            wpm: estimate, source: .syllables, words: estimated, syllables: syllables, span: speechSpan,
            articulationRate: articulation, syllableEstimate: estimate)
    }

    private func result() -> AudioAnalysis {
        let duration = inputSampleRate > 0 ? Double(inputCount) / Double(inputSampleRate) : 0
        let rate = speakingRate()
        let typed = pauses.map { typedPause($0) }
        let speech = segments.map {
            SpeechSegment(start: Double($0.lowerBound) * Self.hopSeconds, end: Double($0.upperBound) * Self.hopSeconds)
        }

        let pitchRange = [pitchValues.percentile(0.05), pitchValues.percentile(0.95)].compactMap { $0 }
            .map(Self.hertz(semitones:))
        let pitch = PitchSummary(
            mean: pitchValues.mean, std: pitchValues.standardDeviation, min: pitchRange.first, max: pitchRange.last,
            range: pitchRange.isEmpty ? nil : pitchRange, median: pitchValues.percentile(0.5).map(Self.hertz(semitones:)),
            trend: pitchValues.trend(threshold: 1.5), change: pitchValues.change, voicedFrames: pitchValues.count,
            voicedRatio: speechFrames > 0 ? Double(voicedSpeechFrames) / Double(speechFrames) : 0)

        let loudness = speechLoudness.count > 0 ? speechLoudness : allLoudness
        let loudnessRange = [loudness.percentile(0.05), loudness.percentile(0.95)].compactMap { $0 }
        let samples = max(1, sampleCount)
        let volume = VolumeSummary(
            mean: loudness.mean, std: loudness.standardDeviation, min: loudnessRange.first, max: loudnessRange.last,
            range: loudnessRange.isEmpty ? nil : loudnessRange, trend: loudness.trend(threshold: 3),
            change: loudness.change, rms: sumSquares > 0 ? max(-120, 10 * log10(sumSquares / Double(samples))) : -120,
            peak: peak > 0 ? max(-120, 20 * log10(Double(peak))) : -120,
            clipping: Clipping(
                clippedSamples: clippedSamples, ratio: Double(clippedSamples) / Double(samples), events: clipEvents,
                detected: Double(clippedSamples) / Double(samples) > 0.001))

        let counted = countedWords
        let timeline = seconds.enumerated().map { second, bucket in
            let start = Double(second)
            let length = min(1, max(0, duration - start))
            let spoken: Double =
                rate.source == .words
                ? Double(counted.filter { (($0.start + $0.end) / 2).rounded(.down) == start }.count)
                : Double(bucket.syllables) / options.syllablesPerWord
            return TimelinePoint(
                timestamp: start, duration: length, wpm: length > 0 ? spoken / length * 60 : 0,
                pitch: bucket.voiced > 0 ? bucket.pitchSum / Double(bucket.voiced) : nil,
                volume: bucket.speech > 0 ? bucket.loudnessSum / Double(bucket.speech) : nil,
                pauses: typed.filter { $0.start.rounded(.down) == start }, words: spoken,
                voicedFrames: bucket.voiced, speechFrames: bucket.speech)
        }

        return AudioAnalysis(
            duration: duration, wpm: rate.wpm, speakingRate: rate, pitch: pitch, volume: volume, pauses: typed,
            totalPauses: typed.count, pauseTime: typed.reduce(0) { $0 + $1.duration }, speech: speech,
            speechTime: speech.reduce(0) { $0 + $1.duration }, timeline: timeline,
            frames: options.keepsFrames ? track : nil)
    }
}
