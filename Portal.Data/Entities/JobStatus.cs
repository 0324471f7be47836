namespace Portal.Data.Entities;

public enum JobStatus { Queued, Running, Succeeded, Failed, Cancelled }
