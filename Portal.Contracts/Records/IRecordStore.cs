namespace Portal.Engine.Records;

/// <summary>Where per-item records of a task run persist, so a killed run resumes where it stopped.</summary>
public interface IRecordStore<T>
{
    IReadOnlyList<T> LoadCompleted();
    void Append(IReadOnlyList<T> records);
}
