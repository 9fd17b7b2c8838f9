namespace Telemetry.OpcUa.Tests.Security;

/// <summary>
/// Known vectors produced by an independent implementation (OpenSSL 3.0: `openssl kdf TLS1-PRF`, `openssl enc`,
/// `openssl dgst -sign`, `openssl pkeyutl -encrypt`) and published ones (RFC 4231, NIST SP 800-38A, the TLS 1.2 PRF
/// vector of the IETF TLS working group).
/// </summary>
internal static class SecurityTestVectors
{
    /// <summary>A throw-away 2048-bit test key (generated for these tests; protects nothing).</summary>
    public const string RsaKeyPem = """
-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCobDzQB5D5WVnc
1nOaqqpPo58RYldGiddCdTtqBoGSYbR7kfqR271RVV76kQkdtvwABHKMP13JaK5g
G5hh79/dWEJZMddWSYp+xu6zlwkcdsw7vinHuytLCe/zPTovUzhkwndljRk+qyUS
SHZ/GNJFsrxoAez4rGWrRsJjcSv8g2QQjagiARl+wuw8HbFQkVYRF8B0BWT2poz6
5qnhpxHez79xlGsf4owGMOOV/nhaY6A7QiAKIJ+pezu1CBiGDw5B3yTn01UZ9LPt
1UBcHBW1F+mQfS3JWPUK+5SRXU52y0vLKy57/ZI37BF5k9IroUIvIj/iWFs8YQyi
tutgfeETAgMBAAECggEAFMW8vl+ghtB5X95nRbU06jug+9DoOL/5d63j1RDWXEqG
qxL3F5RFhkmEPF01BaAy9oGV6yxJkfTCRQJCShn+v1sKW9vk1jSdy0MX37iKHCOe
zuOGXab9EPU5zgNIMNwPwYWmmjTL30nWeanMS6KxFH2V9TH/mzAQHg7NHNyxcyRC
BbMPIECfpDa2p7AzOkKyewaK3Xhvg8mgwN/QiT5jfYHvjydjM3ZFEQDC87BJk2dg
Gvb3usFqfOTyKDViKLeDPLkSu+5zDh8TGw1VUW3FP0UNMfLcrfBlDeAq5H1brk1Y
ykN3pLmb4WVKutSQHZI7oWZ9mUdLoYNNEtiHpEHVqQKBgQDhzDNu8OGhzC439Eo3
yaA+bFO/5U5UhcRipB+iQk5OF1eexqX6LLKVn5YGAhQNjtAiWzdCeus+qEu4QsKH
QO95Ist2eOsLGuwFIVo+CfJL5sBUaNZPQ8meL8gPndmeXPjX6KTSUSUVVOFAZqYE
w3dRg0kYwmezGAaI129QXzZutQKBgQC+82XSF3IBse+rLZtS787lO0R3AhWisURU
YfidPICt3ahMNoppYp/HCxyX0rZngtwxcPfvhp72tJ8/ogv6KZx++cIU06X4M9uT
VeunDS4bGvIf2A9NODdLAKlYJaRuRErlaFQRm1WiUoUozMR5D8ogsl5k/IDL1309
YkUWh72lpwKBgBMcgIH0W3ShXowX3ixIoYqHCrOkSfP3en7K226VZCFR8nWa5LN/
EwJ9BmqtxFq9arpttAipdL3R6s7Gv8ZI5bwACO6XH3XKKo3om8XCe8KW3lKGqRT+
bNM5whooRyITRnCn3UN74MKkc4hK5+RhUvkQPqCc28AZ2Xu9mEtaM7Y9AoGBAIo+
Pw4uSSyu/PwqJZSS53AQS435ZV6HBhgtYce8YND/c/PRXL3VWCXLhqToOYSROgdV
aTrxdK7Zr51rHU68x38qJPfdDwC10pdFkjk8EpAvHvItA079jxJu5Sta/UOTj8Gs
mYixs/qz0ZHrRab75nNrj2l/YWOynApP1gLsvUFrAoGBAJy/Ojkr3P3Kt5i8fnmw
4I0c/vBqUERpcR53pHv/82uGBXBCLtbD04AXw0pVKDQ5ACeeUf7Ly1OEXxsT7X8l
e2sLLr7tVbfWJhTkHy3HW34c6ZsL8kapvRUi+NOL8K+9aOhGmjmgFEHzyI0dRPd+
YILr2zWGHlWLKQx2iwoO8ULc
-----END PRIVATE KEY-----
""";

    /// <summary>The message signed and encrypted by OpenSSL with <see cref="RsaKeyPem"/>.</summary>
    public const string Message = "OPC UA known vector";

    /// <summary>`openssl dgst -sha256 -sign` (RSA PKCS#1 v1.5, deterministic).</summary>
    public const string Pkcs1Sha256Signature =
        "28c1a0f087a33fba789feb91fafff71833ea3aee06beaac3f34e6ed88eae062a7078d9c47936d55d4fcd048dd055025aa2192842380d90491b90e98f58b9919e"
        + "b956057ee5e0d67f9b4115e21b17166bd0582ee0a535aea75bce1bf2a6e2189da4e5f0619cb6365676cca0e565a3c000d3542c752f922ded617c5b5d2779e955"
        + "7d5908ce65bd81b22391358d6a29a0d22bdca15d3f4191ab417b456afb7dc84061d408e2332f27c4535f126bddb6c865e923edf90a142db843791498be26be95"
        + "b66b37b087ceda0605bd1262eda32c93559f8ccf1aff2f8851ff09dad4543cfc8792007e3b89b8dfaf394b4b28c0689a1b6ee1753b6334d4d85385d2af19fcec";

    /// <summary>`openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sign` (random salt: verify only).</summary>
    public const string PssSha256Signature =
        "3688322433b13871e9627f42ae713813583666de01405a6cfbd468efd6441fb1193e4530e1de0ba08262f529581cf2266ea525921bfd4eca09ccc35fe9843405"
        + "5c35e23489a8738d76f2ab478dac4a66e2ba8509af0d2d117c8c302eb2e6b0fd21d12a6072bd7e7574a514e919d7b5a7d913cc3baacaa7a5598aecbc2a92d867"
        + "b3775d9276e5cb932ec46f61f1c0c4886fc83f114665800fa3ece973f2c5abd8e9c1c94a7b536df1c8b37c372d18106af888c04ea907eeddd4a3965949c3d3e3"
        + "12d8dbe52bda5d264b05c86befe481f1b7d6d5ed0a3aee8dd02d10213bc3cd1a418d5952010d2225316756dfca6caaae170e119d4fd816f685f68121a682e8fd";

    /// <summary>`openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha1`.</summary>
    public const string OaepSha1Ciphertext =
        "375af2a94977bd5c1147f6eef7dcd511dd86fd3029eb8d09c266f3b7c147c07848c8a8c410953abfac4e9eb13cea47ffd52b51d1149d1a58deb331efeb585e6d"
        + "5273d7d4ba8408f2b56ebd867aaabada6e7cce3b4ca5f9e25b81e41d303e86588a322fa31b929ee4d5ced04dda07276628a5451a35dea7706748988a398acc83"
        + "7f2a9b0de4ce1fa6bdf9fccf8d235c46afb48cbd6f371918ddf08a86c183aaad00b06541003cb05228036f4d1aef4a73eedcc51a33a0bf57473941b4b73cff74"
        + "5c182460b2649368f2a40f8ed9af51c4f39f18e13e684de0ee8048cfe0d852bfb1ed7fd1e612af11c09bb52219843b437178034d420cb9955cf1a719a47dd12f";

    /// <summary>`openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256`.</summary>
    public const string OaepSha256Ciphertext =
        "3ba95db2b37ab779de10c3a9dbbafdfdeb74cb0e184c42f69e3b436e5f2d7a77d7da3757da3ad4b2b1acee5b6ad8f0f198abb9a404356324d59c89b922420286"
        + "3069966abe399658d0894ecd73e0611d9c95789437e36cac3d842d2400fd6e727619a3ea4bcb838ace28c2e6d70fcbbc3ce18a90c6b9edb28498e360b4716e2c"
        + "f01c678e17798940222a22c39b089d4a8b0a34480ec67cc8efdfa02a0122fbb3c306f18f82d96d48ed999a8f177623b39583ec9ab1be253cad96e427cea517e3"
        + "f30ed53b0e7a104560cf15b12ea44ba126a7bc82f5e3f1422e0bed840b5e54215fc28e2abeafbe1071a05d96cc4d9e8a13823cc3e9c0317e8ce6f95a79e46b61";
}
