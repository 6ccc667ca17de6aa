namespace Rdns.Zones.Updates;

/// <summary>Where refused updates are recorded (accepted ones are audited in their own transaction).</summary>
public interface IUpdateAuditLog
{
    /// <summary>Records a refusal; never blocks the answer and never throws.</summary>
    void Refused(Writes.WriteAudit audit);
}
