namespace ServiceMesh.Configuration;

/// <summary>The key type of the CA and of issued leaves (CERT_KEY_ALGORITHM).</summary>
internal enum KeyAlgorithm { EcdsaP256, Rsa }
