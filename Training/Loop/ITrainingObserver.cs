using WaveFlow.Training.Run;

namespace WaveFlow.Training.Loop;

/// <summary>Receives progress from <c>Trainer</c> (the CLI renders it; tests record it).</summary>
internal interface ITrainingObserver
{
    void OnStart(TrainingPlan plan) { }
    void OnStep(StepReport step) { }
    void OnValidation(ValidationReport validation) { }
    /// <summary>Events worth a line: checkpoints written, rollbacks, warnings.</summary>
    void OnMessage(string message) { }
}
