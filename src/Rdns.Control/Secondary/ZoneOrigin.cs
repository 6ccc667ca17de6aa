namespace Rdns.Control.Secondary;

/// <summary>Why a zone is followed.</summary>
public enum ZoneOrigin
{
    /// <summary>The catalog zone itself.</summary>
    Catalog,

    /// <summary>A member the catalog lists.</summary>
    Member,

    /// <summary>Named in the settings (<c>Secondary:Zones</c>), catalog or not.</summary>
    Configured,
}
