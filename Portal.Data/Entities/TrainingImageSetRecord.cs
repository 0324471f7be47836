namespace Portal.Data.Entities;

/// <summary>
/// A folder of training images a FARE job fine-tunes on (<see cref="DatasetRecord.DatasetRoot"/>; its version covers
/// every image's relative path and size, so a job refuses a folder that changed after it was queued). Its results
/// are fine-tuned encoders, not scores.
/// </summary>
public sealed class TrainingImageSetRecord : DatasetRecord
{
    public override bool Allows(TaskKind kind) => kind is TaskKind.Fare;
    public override string KindNoun() => "FARE training-image set";
}
