/* Hashing to G2 and G1, RFC 9380: BLS12381G2_XMD:SHA-256_SSWU_RO_ and BLS12381G1_XMD:SHA-256_SSWU_RO_.
 *
 * hash_to_field with expand_message_xmd(SHA-256) (2 elements of Fp2, L = 64 bytes each),
 * map_to_curve = simplified SWU on E2': y^2 = x^3 + 240u x + 1012(1+u) followed by the
 * 3-isogeny E2' -> E2 (constants of RFC 9380 appendix E.3), and clear_cofactor by the
 * psi-based h_eff multiplication of appendix G.3. G1 is the same with the 11-isogeny and
 * h_eff = 1 - x. Inputs are public: variable time.
 */
#include <string.h>

#include <openssl/evp.h>

#include "crypto/bls_internal.h"

/* Constants, Montgomery form. */
static const bls_fp2 ISO_XNUM[4] = {
    {{{0x47f671c71ce05e62ull, 0x06dd57071206393eull, 0x7c80cd2af3fd71a2ull, 0x048103ea9e6cd062ull, 0xc54516acc8d037f6ull, 0x13808f550920ea41ull}}, {{0x47f671c71ce05e62ull, 0x06dd57071206393eull, 0x7c80cd2af3fd71a2ull, 0x048103ea9e6cd062ull, 0xc54516acc8d037f6ull, 0x13808f550920ea41ull}}},
    {{{0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull}}, {{0x5fe55555554c71d0ull, 0x873fffdd236aaaa3ull, 0x6a6b4619b26ef918ull, 0x21c2888408874945ull, 0x2836cda7028cabc5ull, 0x0ac73310a7fd5abdull}}},
    {{{0x0a0c5555555971c3ull, 0xdb0c00101f9eaaaeull, 0xb1fb2f941d797997ull, 0xd3960742ef416e1cull, 0xb70040e2c20556f4ull, 0x149d7861e581393bull}}, {{0xaff2aaaaaaa638e8ull, 0x439fffee91b55551ull, 0xb535a30cd9377c8cull, 0x90e144420443a4a2ull, 0x941b66d3814655e2ull, 0x0563998853fead5eull}}},
    {{{0x40aac71c71c725edull, 0x190955557a84e38eull, 0xd817050a8f41abc3ull, 0xd86485d4c87f6fb1ull, 0x696eb479f885d059ull, 0x198e1a74328002d2ull}}, {{0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull}}},
};
static const bls_fp2 ISO_XDEN[2] = {
    {{{0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull}}, {{0x1f3affffff13ab97ull, 0xf25bfc611da3ff3eull, 0xca3757cb3819b208ull, 0x3e6427366f8cec18ull, 0x03977bc86095b089ull, 0x04f69db13f39a952ull}}},
    {{{0x447600000027552eull, 0xdcb8009a43480020ull, 0x6f7ee9ce4a6e8b59ull, 0xb10330b7c0a95bc6ull, 0x6140b1fcfb1e54b7ull, 0x0381be097f0bb4e1ull}}, {{0x7588ffffffd8557dull, 0x41f3ff646e0bffdfull, 0xf7b1e8d2ac426acaull, 0xb3741acd32dbb6f8ull, 0xe9daf5b9482d581full, 0x167f53e0ba7431b8ull}}},
};
static const bls_fp2 ISO_YNUM[4] = {
    {{{0x96d8f684bdfc77beull, 0xb530e4f43b66d0e2ull, 0x184a88ff379652fdull, 0x57cb23ecfae804e1ull, 0x0fd2e39eada3eba9ull, 0x08c8055e31c5d5c3ull}}, {{0x96d8f684bdfc77beull, 0xb530e4f43b66d0e2ull, 0x184a88ff379652fdull, 0x57cb23ecfae804e1ull, 0x0fd2e39eada3eba9ull, 0x08c8055e31c5d5c3ull}}},
    {{{0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull}}, {{0xbf0a71c71c91b406ull, 0x4d6d55d28b7638fdull, 0x9d82f98e5f205aeeull, 0xa27aa27b1d1a18d5ull, 0x02c3b2b2d2938e86ull, 0x0c7d13420b09807full}}},
    {{{0xd7f9555555531c74ull, 0x21cffff748daaaa8ull, 0x5a9ad1866c9bbe46ull, 0x4870a2210221d251ull, 0x4a0db369c0a32af1ull, 0x02b1ccc429ff56afull}}, {{0xe205aaaaaaac8e37ull, 0xfcdc000768795556ull, 0x0c96011a8a1537ddull, 0x1c06a963f163406eull, 0x010df44c82a881e6ull, 0x174f45260f808febull}}},
    {{{0xa470bda12f67f35cull, 0xc0fe38e23327b425ull, 0xc9d3d0f2c6f0678dull, 0x1c55c9935b5a982eull, 0x27f6c0e2f0746764ull, 0x117c5e6e28aa9054ull}}, {{0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull}}},
};
static const bls_fp2 ISO_YDEN[3] = {
    {{{0x0162fffffa765adfull, 0x8f7bea480083fb75ull, 0x561b3c2259e93611ull, 0x11e19fc1a9c875d5ull, 0xca713efc00367660ull, 0x03c6a03d41da1151ull}}, {{0x0162fffffa765adfull, 0x8f7bea480083fb75ull, 0x561b3c2259e93611ull, 0x11e19fc1a9c875d5ull, 0xca713efc00367660ull, 0x03c6a03d41da1151ull}}},
    {{{0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull}}, {{0x5db0fffffd3b02c5ull, 0xd713f52358ebfdbaull, 0x5ea60761a84d161aull, 0xbb2c75a34ea6c44aull, 0x0ac6735921c1119bull, 0x0ee3d913bdacfbf6ull}}},
    {{{0x66b10000003affc5ull, 0xcb1400e764ec0030ull, 0xa73e5eb56fa5d106ull, 0x8984c913a0fe09a9ull, 0x11e10afb78ad7f13ull, 0x05429d0e3e918f52ull}}, {{0x534dffffffc4aae6ull, 0x5397ff174c67ffcfull, 0xbff273eb870b251dull, 0xdaf2827152870915ull, 0x393a9cbaca9e2dc3ull, 0x14be74dbfaee5748ull}}},
};
/* SSWU on E2': A' = 240u, B' = 1012(1+u), Z = -(2+u); -B'/A' and B'/(Z A') precomputed. */
static const bls_fp2 SSWU_A = {{{0, 0, 0, 0, 0, 0}},
    {{0xe53a000003135242ull, 0x01080c0fdef80285ull, 0xe7889edbe340f6bdull, 0x0b51375126310601ull, 0x02d6985717c744abull, 0x1220b4e979ea5467ull}}};
static const bls_fp2 SSWU_B = {
    {{0x22ea00000cf89db2ull, 0x6ec832df71380aa4ull, 0x6e1b94403db5a66eull, 0x75bf3c53a79473baull, 0x3dd3a569412c0a34ull, 0x125cdb5e74dc4fd1ull}},
    {{0x22ea00000cf89db2ull, 0x6ec832df71380aa4ull, 0x6e1b94403db5a66eull, 0x75bf3c53a79473baull, 0x3dd3a569412c0a34ull, 0x125cdb5e74dc4fd1ull}}};
static const bls_fp2 SSWU_Z = {
    {{0x87ebfffffff9555cull, 0x656fffe5da8ffffaull, 0x0fd0749345d33ad2ull, 0xd951e663066576f4ull, 0xde291a3d41e980d3ull, 0x0815664c7dfe040dull}},
    {{0x43f5fffffffcaaaeull, 0x32b7fff2ed47fffdull, 0x07e83a49a2e99d69ull, 0xeca8f3318332bb7aull, 0xef148d1ea0f4c069ull, 0x040ab3263eff0206ull}}};
static const bls_fp2 SSWU_MINUS_B_OVER_A = {
    {{0x903c555555474fb3ull, 0x5f98cc95ce451105ull, 0x9f8e582eefe0fadeull, 0xc68946b6aebbd062ull, 0x467a4ad10ee6de53ull, 0x0e7146f483e23a05ull}},
    {{0x29c2aaaaaab85af8ull, 0xbf133368e30eeefaull, 0xc7a27a7206cffb45ull, 0x9dee04ce44c9425cull, 0x04a15ce53464ce83ull, 0x0b8fcaf5b59dac95ull}}};
static const bls_fp2 SSWU_B_OVER_ZA = {
    {{0xf2d8444444414324ull, 0x2585c28393a69d00ull, 0x5dd35cd05d972c42ull, 0xfd963b744ea89b53ull, 0x07f5d9fd91c1fa91ull, 0x127db28a3ce062c4ull}},
    {{0x55743333333b3695ull, 0xeb72b871590828fcull, 0x1c186171cb4d5da5ull, 0x34a33031ee956644ull, 0xc971692a149d16d0ull, 0x168a1e1ff5de8b82ull}}};

/* G1: 11-isogeny E1' -> E1 (RFC 9380 appendix E.2) and SSWU on E1' with Z = 11. */
static const bls_fp G1_ISO_XNUM[12] = {
    {{0x4d18b6f3af00131cull, 0x19fa219793fee28cull, 0x3f2885f1467f19aeull, 0x23dcea34f2ffb304ull, 0xd15b58d2ffc00054ull, 0x0913be200a20bef4ull}},
    {{0x898985385cdbbd8bull, 0x3c79e43cc7d966aaull, 0x1597e193f4cd233aull, 0x8637ef1e4d6623adull, 0x11b22deed20d827bull, 0x07097bc5998784adull}},
    {{0xa542583a480b664bull, 0xfc7169c026e568c6ull, 0x5ba2ef314ed8b5a6ull, 0x5b5491c05102f0e7ull, 0xdf6e99707d2a0079ull, 0x0784151ed7605524ull}},
    {{0x494e212870f72741ull, 0xab9be52fbda43021ull, 0x26f5577994e34c3dull, 0x049dfee82aefbd60ull, 0x65dadd7828505289ull, 0x0e93d431ea011aebull}},
    {{0x90ee774bd6a74d45ull, 0x7ada1c8a41bfb185ull, 0x0f1a8953b325f464ull, 0x104c24211be4805cull, 0x169139d319ea7a8full, 0x09f20ead8e532bf6ull}},
    {{0x6ddd93e2f43626b7ull, 0xa5482c9aa1ccd7bdull, 0x143245631883f4bdull, 0x2e0a94ccf77ec0dbull, 0xb0282d480e56489full, 0x18f4bfcbb4368929ull}},
    {{0x23c5f0c953402dfdull, 0x7a43ff6958ce4fe9ull, 0x2c390d3d2da5df63ull, 0xd0df5c98e1f9d70full, 0xffd89869a572b297ull, 0x1277ffc72f25e8feull}},
    {{0x79f4f0490f06a8a6ull, 0x85f894a88030fd81ull, 0x12da3054b18b6410ull, 0xe2a57f6505880d65ull, 0xbba074f260e400f1ull, 0x08b76279f621d028ull}},
    {{0xe67245ba78d5b00bull, 0x8456ba9a1f186475ull, 0x7888bff6e6b33bb4ull, 0xe21585b9a30f86cbull, 0x05a69cdcef55feeeull, 0x09e699dd9adfa5acull}},
    {{0x0de5c357bff57107ull, 0x0a0db4ae6b1a10b2ull, 0xe256bb67b3b3cd8dull, 0x8ad456574e9db24full, 0x0443915f50fd4179ull, 0x098c4bf7de8b6375ull}},
    {{0xe6b0617e7dd929c7ull, 0xfe6e37d442537375ull, 0x1dafdeda137a489eull, 0xe4efd1ad3f767cebull, 0x4a51d8667f0fe1cfull, 0x054fdf4bbf1d821cull}},
    {{0x72db2a50658d767bull, 0x8abf91faa257b3d5ull, 0xe969d6833764ab47ull, 0x464170142a1009ebull, 0xb14f01aadb30be2full, 0x18ae6a856f40715dull}},
};
static const bls_fp G1_ISO_XDEN[10] = {
    {{0xb962a077fdb0f945ull, 0xa6a9740fefda13a0ull, 0xc14d568c3ed6c544ull, 0xb43fc37b908b133eull, 0x9c0b3ac929599016ull, 0x0165aa6c93ad115full}},
    {{0x23279a3ba506c1d9ull, 0x92cfca0a9465176aull, 0x3b294ab13755f0ffull, 0x116dda1c5070ae93ull, 0xed4530924cec2045ull, 0x083383d6ed81f1ceull}},
    {{0x9885c2a6449fecfcull, 0x4a2b54ccd37733f0ull, 0x17da9ffd8738c142ull, 0xa0fba72732b3fafdull, 0xff364f36e54b6812ull, 0x0f29c13c660523e2ull}},
    {{0xe349cc118278f041ull, 0xd487228f2f3204fbull, 0xc9d325849ade5150ull, 0x43a92bd69c15c2dfull, 0x1c2c7844bc417be4ull, 0x12025184f407440cull}},
    {{0x587f65ae6acb057bull, 0x1444ef325140201full, 0xfbf995e71270da49ull, 0xccda066072436a42ull, 0x7408904f0f186bb2ull, 0x13b93c63edf6c015ull}},
    {{0xfb918622cd141920ull, 0x4a4c64423ecaddb4ull, 0x0beb232927f7fb26ull, 0x30f94df6f83a3dc2ull, 0xaeedd424d780f388ull, 0x06cc402dd594bbebull}},
    {{0xd41f761151b23f8full, 0x32a92465435719b3ull, 0x64f436e888c62cb9ull, 0xdf70a9a1f757c6e4ull, 0x6933a38d5b594c81ull, 0x0c6f7f7237b46606ull}},
    {{0x693c08747876c8f7ull, 0x22c9850bf9cf80f0ull, 0x8e9071dab950c124ull, 0x89bc62d61c7baf23ull, 0xbc6be2d8dad57c23ull, 0x17916987aa14a122ull}},
    {{0x1be3ff439c1316fdull, 0x9965243a7571dfa7ull, 0xc7f7f62962f5cd81ull, 0x32c6aa9af394361cull, 0xbbc2ee18e1c227f4ull, 0x0c102cbac531bb34ull}},
    {{0x997614c97bacbf07ull, 0x61f86372b99192c0ull, 0x5b8c95fc14353fc3ull, 0xca2b066c2a87492full, 0x16178f5bbf698711ull, 0x12a6dcd7f0f4e0e8ull}},
};
static const bls_fp G1_ISO_YNUM[16] = {
    {{0x2b567ff3e2837267ull, 0x1d4d9e57b958a767ull, 0xce028fea04bd7373ull, 0xcc31a30a0b6cd3dfull, 0x7d7b18a682692693ull, 0x0d300744d42a0310ull}},
    {{0x99c2555fa542493full, 0xfe7f53cc4874f878ull, 0x5df0608b8f97608aull, 0x14e03832052b49c8ull, 0x706326a6957dd5a4ull, 0x0a8dadd9c2414555ull}},
    {{0x13d942922a5cf63aull, 0x357e33e36e261e7dull, 0xcf05a27c8456088dull, 0x0000bd1de7ba50f0ull, 0x83d0c7532f8c1fdeull, 0x13f70bf38bbf2905ull}},
    {{0x5c57fd95bfafbdbbull, 0x28a359a65e541707ull, 0x3983ceb4f6360b6dull, 0xafe19ff6f97e6d53ull, 0xb3468f4550192bf7ull, 0x0bb6cde49d8ba257ull}},
    {{0x590b62c7ff8a513full, 0x314b4ce372cacefdull, 0x6bef32ce94b8a800ull, 0x6ddf84a095713d5full, 0x64eace4cb0982191ull, 0x0386213c651b888dull}},
    {{0xa5310a31111bbcddull, 0xa14ac0f5da148982ull, 0xf9ad9cc95423d2e9ull, 0xaa6ec095283ee4a7ull, 0xcf5b1f022e1c9107ull, 0x01fddf5aed881793ull}},
    {{0x65a572b0d7a7d950ull, 0xe25c2d8183473a19ull, 0xc2fcebe7cb877dbdull, 0x05b2d36c769a89b0ull, 0xba12961be86e9efbull, 0x07eb1b29c1dfde1full}},
    {{0x93e09572f7c4cd24ull, 0x364e929076795091ull, 0x8569467e68af51b5ull, 0xa47da89439f5340full, 0xf4fa918082e44d64ull, 0x0ad52ba3e6695a79ull}},
    {{0x911429844e0d5f54ull, 0xd03f51a3516bb233ull, 0x3d587e5640536e66ull, 0xfa86d2a3a9a73482ull, 0xa90ed5adf1ed5537ull, 0x149c9c326a5e7393ull}},
    {{0x462bbeb03c12921aull, 0xdc9af5fa0a274a17ull, 0x9a558ebde836ebedull, 0x649ef8f11a4fae46ull, 0x8100e1652b3cdc62ull, 0x1862bd62c291dacbull}},
    {{0x05c9b8ca89f12c26ull, 0x0194160fa9b9ac4full, 0x6a643d5a6879fa2cull, 0x14665bdd8846e19dull, 0xbb1d0d53af3ff6bfull, 0x12c7e1c3b28962e5ull}},
    {{0xb55ebf900b8a3e17ull, 0xfedc77ec1a9201c4ull, 0x1f07db10ea1a4df4ull, 0x0dfbd15dc41a594dull, 0x389547f2334a5391ull, 0x02419f98165871a4ull}},
    {{0xb416af000745fc20ull, 0x8e563e9d1ea6d0f5ull, 0x7c763e17763a0652ull, 0x01458ef0159ebbefull, 0x8346fe421f96bb13ull, 0x0d2d7b829ce324d2ull}},
    {{0x93096bb538d64615ull, 0x6f2a2619951d823aull, 0x8f66b3ea59514fa4ull, 0xf563e63704f7092full, 0x724b136c4cf2d9faull, 0x046959cfcfd0bf49ull}},
    {{0xea748d4b6e405346ull, 0x91e9079c2c02d58full, 0x41064965946d9b59ull, 0xa06731f1d2bbe1eeull, 0x07f897e267a33f1bull, 0x1017290919210e5full}},
    {{0x872aa6c17d985097ull, 0xeecc53161264562aull, 0x07afe37afff55002ull, 0x54759078e5be6838ull, 0xc4b92d15db8acca8ull, 0x106d87d1b51d13b9ull}},
};
static const bls_fp G1_ISO_YDEN[15] = {
    {{0xeb6c359d47e52b1cull, 0x18ef5f8a10634d60ull, 0xddfa71a0889d5b7eull, 0x723e71dcc5fc1323ull, 0x52f45700b70d5c69ull, 0x0a8b981ee47691f1ull}},
    {{0x616a3c4f5535b9fbull, 0x6f5f037395dbd911ull, 0xf25f4cc5e35c65daull, 0x3e50dffea3c62658ull, 0x6a33dca523560776ull, 0x0fadeff77b6bfe3eull}},
    {{0x2be9b66df470059cull, 0x24a2c159a3d36742ull, 0x115dbe7ad10c2a37ull, 0xb6634a652ee5884dull, 0x04fe8bb2b8d81af4ull, 0x01c2a7a256fe9c41ull}},
    {{0xf27bf8ef3b75a386ull, 0x898b367476c9073full, 0x24482e6b8c2f4e5full, 0xc8e0bbd6fe110806ull, 0x59b0c17f7631448aull, 0x11037cd58b3dbfbdull}},
    {{0x31c7912ea267eec6ull, 0x1dbf6f1c5fcdb700ull, 0xd30d4fe3ba86fdb1ull, 0x3cae528fbee9a2a4ull, 0xb1cce69b6aa9ad9aull, 0x044393bb632d94fbull}},
    {{0xc66ef6efeeb5c7e8ull, 0x9824c289dd72bb55ull, 0x71b1a4d2f119981dull, 0x104fc1aafb0919ccull, 0x0e49df01d942a628ull, 0x096c3a09773272d4ull}},
    {{0x9abc11eb5fadeff4ull, 0x32dca50a885728f0ull, 0xfb1fa3721569734cull, 0xc4b76271ea6506b3ull, 0xd466a75599ce728eull, 0x0c81d4645f4cb6edull}},
    {{0x4199f10e5b8be45bull, 0xda64e495b1e87930ull, 0xcb353efe9b33e4ffull, 0x9e9efb24aa6424c6ull, 0xf08d33680a237465ull, 0x0d3378023e4c7406ull}},
    {{0x7eb4ae92ec74d3a5ull, 0xc341b4aa9fac3497ull, 0x5be603899e907687ull, 0x03bfd9cca75cbdebull, 0x564c2935a96bfa93ull, 0x0ef3c33371e2fdb5ull}},
    {{0x7ee91fd449f6ac2eull, 0xe5d5bd5cb9357a30ull, 0x773a8ca5196b1380ull, 0xd0fda172174ed023ull, 0x6cb95e0fa776aeadull, 0x0d22d5a40cec7cffull}},
    {{0xf727e09285fd8519ull, 0xdc9d55a83017897bull, 0x7549d8bd057894aeull, 0x178419613d90d8f8ull, 0xfce95ebdeb5b490aull, 0x0467ffaef23fc49eull}},
    {{0xc1769e6a7c385f1bull, 0x79bc930deac01c03ull, 0x5461c75a23ede3b5ull, 0x6e20829e5c230c45ull, 0x828e0f1e772a53cdull, 0x116aefa749127bffull}},
    {{0x101c10bf2744c10aull, 0xbbf18d053a6a3154ull, 0xa0ecf39ef026f602ull, 0xfc009d4996dc5153ull, 0xb9000209d5bd08d3ull, 0x189e5fe4470cd73cull}},
    {{0x7ebd546ca1575ed2ull, 0xe47d5a981d081b55ull, 0x57b2b625b6d4ca21ull, 0xb0a1ba04228520ccull, 0x98738983c2107ff3ull, 0x13dddbc4799d81d6ull}},
    {{0x09319f2e39834935ull, 0x039e952cbdb05c21ull, 0x55ba77a9a2f76493ull, 0xfd04e3dfc6086467ull, 0xfb95832e7d78742eull, 0x0ef9c24eccaf5e0eull}},
};
static const bls_fp G1_SSWU_A = {{0x2f65aa0e9af5aa51ull, 0x86464c2d1e8416c3ull, 0xb85ce591b7bd31e2ull, 0x27e11c91b5f24e7cull, 0x28376eda6bfc1835ull, 0x155455c3e5071d85ull}};
static const bls_fp G1_SSWU_B = {{0xfb996971fe22a1e0ull, 0x9aa93eb35b742d6full, 0x8c476013de99c5c4ull, 0x873e27c3a221e571ull, 0xca72b5e45a52d888ull, 0x06824061418a386bull}};
static const bls_fp G1_SSWU_Z = {{0x886c00000023ffdcull, 0x0f70008d3090001dull, 0x77672417ed5828c3ull, 0x9dac23e943dc1740ull, 0x50553f1b9c131521ull, 0x078c712fbe0ab6e8ull}};
static const bls_fp G1_SSWU_MINUS_B_OVER_A = {{0x052583c93555a7feull, 0x3b40d72430f93c82ull, 0x1b75faa0105ec983ull, 0x2527e7dc63851767ull, 0x99fffd1f34fc181dull, 0x097cab54770ca0d3ull}};
static const bls_fp G1_SSWU_B_OVER_ZA = {{0xaefbc579583dc22full, 0x70cca69e8ca26edcull, 0xaf05f2a3b113ce57ull, 0x4ed257417860c764ull, 0xbb16a0c0d526ff96ull, 0x1469e7cf3b7ec553ull}};

/* ---- expand_message_xmd (RFC 9380 5.3.1) with SHA-256 ---------------------------------- */

static cd_status sha256_parts(uint8_t out[32], EVP_MD_CTX *ctx, const cd_bytes *parts, size_t n) {
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) return CD_ERR_INTERNAL;
    for (size_t i = 0; i < n; i++)
        if (parts[i].len && EVP_DigestUpdate(ctx, parts[i].ptr, parts[i].len) != 1)
            return CD_ERR_INTERNAL;
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != 32) return CD_ERR_INTERNAL;
    return CD_OK;
}

/* len_in_bytes is 256 here (2 elements * 2 coordinates * 64 bytes); ell = 8 <= 255. */
static cd_status expand_message_xmd(uint8_t *out, size_t len, const uint8_t *msg, size_t msg_len,
                                    const uint8_t *dst, size_t dst_len) {
    if (dst_len > 255 || len > 255 * 32 || len == 0) return CD_ERR_INVALID_ARG;
    size_t ell = (len + 31) / 32;
    static const uint8_t z_pad[64] = {0};
    uint8_t dst_len_b = (uint8_t)dst_len;
    uint8_t lib[3] = {(uint8_t)(len >> 8), (uint8_t)len, 0};
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) return CD_ERR_NOMEM;
    uint8_t b0[32], bi[32];
    cd_status s;
    /* b_0 = H(Z_pad || msg || l_i_b_str || I2OSP(0, 1) || DST_prime) */
    cd_bytes p0[5] = {cd_bytes_make(z_pad, 64), cd_bytes_make(msg, msg_len), cd_bytes_make(lib, 3),
                      cd_bytes_make(dst, dst_len), cd_bytes_make(&dst_len_b, 1)};
    s = sha256_parts(b0, ctx, p0, 5);
    for (size_t i = 1; s == CD_OK && i <= ell; i++) {
        uint8_t x[32], idx = (uint8_t)i;
        if (i == 1) memcpy(x, b0, 32);
        else
            for (int j = 0; j < 32; j++) x[j] = b0[j] ^ bi[j];
        cd_bytes pi[4] = {cd_bytes_make(x, 32), cd_bytes_make(&idx, 1), cd_bytes_make(dst, dst_len),
                          cd_bytes_make(&dst_len_b, 1)};
        s = sha256_parts(bi, ctx, pi, 4);
        size_t off = (i - 1) * 32, n = len - off < 32 ? len - off : 32;
        if (s == CD_OK) memcpy(out + off, bi, n);
    }
    EVP_MD_CTX_free(ctx);
    return s;
}

/* ---- simplified SWU on E2' (RFC 9380 6.6.2, straight-line version) -----------------------
 *
 * Two shortcuts, both exact (results equal RFC 9380's):
 *  - hash_to_curve maps two field elements; their denominators tv1 are inverted together
 *    (one inversion and three products instead of two inversions).
 *  - One exponentiation decides which of g(x1), g(x2) is the square and gives the norm root
 *    the Fp2 square root needs. With n = N(g(x1)) and s = n^((p+1)/4): s^2 = n when g(x1) is a
 *    square, else s^2 = -n. In the second case g(x2) = (Z u^2)^3 g(x1) (the SSWU identity), so
 *    N(g(x2)) = N(Z)^3 N(u)^6 n with N(Z) = 5, and sqrt(N(g(x2))) = N(u)^3 * 5 * sqrt(-5) * s.
 *    That root is checked by squaring; should it ever fail, the plain square root is used. */

/* sqrt(-5) in Fp (Montgomery form); -5 is a square because 5 = N(Z) is not. */
static const bls_fp SQRT_MINUS_5 = {{0xcd94f7407f49f0baull, 0xe4f81e0fa6c4f72dull,
                                     0x30e77d854799eedbull, 0xc442e208de13f299ull,
                                     0x15a4f8f75facaabeull, 0x135bd2bfe164a855ull}};

/* tv1 = Z^2 u^4 + Z u^2 (zero only for the exceptional u), and Z u^2. */
static void sswu_tv1(bls_fp2 *tv1, bls_fp2 *zu2, const bls_fp2 *u) {
    bls_fp2 u2;
    bls_fp2_sqr(&u2, u);
    bls_fp2_mul(zu2, &SSWU_Z, &u2);
    bls_fp2_sqr(tv1, zu2);
    bls_fp2_add(tv1, tv1, zu2);
}

static void sswu_g(bls_fp2 *gx, const bls_fp2 *x) { /* g(x) = x^3 + A x + B */
    bls_fp2_sqr(gx, x);
    bls_fp2_add(gx, gx, &SSWU_A);
    bls_fp2_mul(gx, gx, x);
    bls_fp2_add(gx, gx, &SSWU_B);
}

/* inv_tv1 = 1/tv1, or NULL when tv1 = 0. */
static void sswu_e2prime(bls_fp2 *x, bls_fp2 *y, const bls_fp2 *u, const bls_fp2 *zu2,
                         const bls_fp2 *inv_tv1) {
    bls_fp2 t, x1, gx1, x2, gx2;
    if (!inv_tv1) {
        x1 = SSWU_B_OVER_ZA;
    } else {
        bls_fp2_one(&t);
        bls_fp2_add(&t, &t, inv_tv1);
        bls_fp2_mul(&x1, &SSWU_MINUS_B_OVER_A, &t);
    }
    sswu_g(&gx1, &x1);
    bls_fp n, s, chk;
    bls_fp2_norm(&n, &gx1);
    bls_fp_sqrt(&s, &n); /* s = n^((p+1)/4) whether or not n is a square */
    bls_fp_sqr(&chk, &s);
    if (bls_fp_eq(&chk, &n)) {
        bool ok = bls_fp2_sqrt_given_norm_root(y, &gx1, &s);
        if (!ok) ok = bls_fp2_sqrt(y, &gx1);
        (void)ok; /* N(gx1) a square means gx1 is one */
        *x = x1;
    } else {
        bls_fp2_mul(&x2, zu2, &x1);
        sswu_g(&gx2, &x2);
        bls_fp nu, nu3, s2, n2;
        bls_fp2_norm(&nu, u);
        bls_fp_sqr(&nu3, &nu);
        bls_fp_mul(&nu3, &nu3, &nu);
        bls_fp_mul(&s2, &s, &SQRT_MINUS_5);
        bls_fp_mul(&s2, &s2, &nu3);
        bls_fp_mul_small(&s2, &s2, 5);
        bls_fp2_norm(&n2, &gx2);
        bls_fp_sqr(&chk, &s2);
        bool ok = bls_fp_eq(&chk, &n2) && bls_fp2_sqrt_given_norm_root(y, &gx2, &s2);
        if (!ok) ok = bls_fp2_sqrt(y, &gx2); /* one of gx1, gx2 is square by choice of Z */
        (void)ok;
        *x = x2;
    }
    if (bls_fp2_sgn0(u) != bls_fp2_sgn0(y)) bls_fp2_neg(y, y);
}

/* Horner evaluation of a polynomial with the given coefficients (low degree first), plus an
 * optional monic leading term. */
static void poly_eval(bls_fp2 *r, const bls_fp2 *k, int n, bool monic, const bls_fp2 *x) {
    bls_fp2 acc;
    int i = n - 1;
    if (monic) {
        bls_fp2_one(&acc);
        i = n - 1;
        bls_fp2_mul(&acc, &acc, x);
        bls_fp2_add(&acc, &acc, &k[i]);
    } else {
        acc = k[i];
    }
    for (i = i - 1; i >= 0; i--) {
        bls_fp2_mul(&acc, &acc, x);
        bls_fp2_add(&acc, &acc, &k[i]);
    }
    *r = acc;
}

/* 3-isogeny E2' -> E2, output in Jacobian coordinates without inversion:
 * Z = xd*yd, X = xn*xd*yd^2, Y = y'*yn*xd^3*yd^2. A zero denominator maps to infinity. */
static void iso_map(bls_g2 *out, const bls_fp2 *x, const bls_fp2 *y) {
    bls_fp2 xn, xd, yn, yd, t, yd2;
    poly_eval(&xn, ISO_XNUM, 4, false, x);
    poly_eval(&xd, ISO_XDEN, 2, true, x);
    poly_eval(&yn, ISO_YNUM, 4, false, x);
    poly_eval(&yd, ISO_YDEN, 3, true, x);
    if (bls_fp2_is_zero(&xd) || bls_fp2_is_zero(&yd)) {
        bls_fp2_one(&out->X);
        bls_fp2_one(&out->Y);
        bls_fp2_zero(&out->Z);
        return;
    }
    bls_fp2_mul(&out->Z, &xd, &yd);
    bls_fp2_sqr(&yd2, &yd);
    bls_fp2_mul(&out->X, &xn, &xd);
    bls_fp2_mul(&out->X, &out->X, &yd2);
    bls_fp2_sqr(&t, &xd);
    bls_fp2_mul(&t, &t, &xd);
    bls_fp2_mul(&t, &t, &yd2);
    bls_fp2_mul(&t, &t, &yn);
    bls_fp2_mul(&out->Y, &t, y);
}

void bls_map_to_curve_g2(bls_g2 *out, const bls_fp2 *u) {
    bls_fp2 x, y, tv1, zu2, inv;
    sswu_tv1(&tv1, &zu2, u);
    bool zero = bls_fp2_is_zero(&tv1);
    if (!zero) bls_fp2_inv(&inv, &tv1);
    sswu_e2prime(&x, &y, u, &zu2, zero ? NULL : &inv);
    iso_map(out, &x, &y);
}

/* map_to_curve(u0) + map_to_curve(u1) with one inversion for both denominators. */
static void map_to_curve_g2_pair(bls_g2 *out, const bls_fp2 *u0, const bls_fp2 *u1) {
    bls_fp2 tv0, tv1, zu0, zu1, prod, inv, inv0, inv1, x, y;
    sswu_tv1(&tv0, &zu0, u0);
    sswu_tv1(&tv1, &zu1, u1);
    bls_g2 q0, q1;
    if (bls_fp2_is_zero(&tv0) || bls_fp2_is_zero(&tv1)) { /* exceptional u: no batching */
        bls_map_to_curve_g2(&q0, u0);
        bls_map_to_curve_g2(&q1, u1);
    } else {
        bls_fp2_mul(&prod, &tv0, &tv1);
        bls_fp2_inv(&inv, &prod);
        bls_fp2_mul(&inv0, &inv, &tv1);
        bls_fp2_mul(&inv1, &inv, &tv0);
        sswu_e2prime(&x, &y, u0, &zu0, &inv0);
        iso_map(&q0, &x, &y);
        sswu_e2prime(&x, &y, u1, &zu1, &inv1);
        iso_map(&q1, &x, &y);
    }
    bls_g2_add(out, &q0, &q1);
}

/* RFC 9380 G.3: h_eff * P = [x^2 - x - 1]P + [x - 1]psi(P) + psi^2(2P), with x < 0. */
void bls_clear_cofactor_g2(bls_g2 *out, const bls_g2 *p) {
    bls_g2 t1, t2, t3, np;
    bls_g2_mul_x_abs(&t1, p);
    bls_g2_neg(&t1, &t1);          /* t1 = x P */
    bls_g2_psi(&t2, p);            /* t2 = psi(P) */
    bls_g2_double(&t3, p);
    bls_g2_psi(&t3, &t3);
    bls_g2_psi(&t3, &t3);          /* t3 = psi^2(2P) */
    bls_g2 nt2;
    bls_g2_neg(&nt2, &t2);
    bls_g2_add(&t3, &t3, &nt2);    /* t3 = t3 - t2 */
    bls_g2_add(&t2, &t1, &t2);     /* t2 = t1 + t2 */
    bls_g2_mul_x_abs(&t2, &t2);
    bls_g2_neg(&t2, &t2);          /* t2 = x t2 */
    bls_g2_add(&t3, &t3, &t2);
    bls_g2_neg(&t1, &t1);
    bls_g2_add(&t3, &t3, &t1);     /* t3 = t3 - t1 */
    bls_g2_neg(&np, p);
    bls_g2_add(out, &t3, &np);     /* Q = t3 - P */
}

cd_status bls_hash_to_g2(bls_g2 *out, const uint8_t *msg, size_t msg_len, const uint8_t *dst,
                         size_t dst_len) {
    if ((!msg && msg_len) || !dst || !out) return CD_ERR_INVALID_ARG;
    uint8_t uniform[256];
    cd_status s = expand_message_xmd(uniform, sizeof uniform, msg ? msg : (const uint8_t *)"",
                                     msg_len, dst, dst_len);
    if (s != CD_OK) return s;
    bls_fp2 u0, u1;
    bls_fp_from_bytes64_reduce(&u0.c0, uniform);
    bls_fp_from_bytes64_reduce(&u0.c1, uniform + 64);
    bls_fp_from_bytes64_reduce(&u1.c0, uniform + 128);
    bls_fp_from_bytes64_reduce(&u1.c1, uniform + 192);
    bls_g2 r;
    map_to_curve_g2_pair(&r, &u0, &u1);
    bls_clear_cofactor_g2(out, &r);
    return CD_OK;
}

/* ---- G1 ----------------------------------------------------------------------------------- */

static void sswu_e1prime(bls_fp *x, bls_fp *y, const bls_fp *u) {
    bls_fp u2, zu2, tv1, t, x1, gx1, x2, gx2;
    bls_fp_sqr(&u2, u);
    bls_fp_mul(&zu2, &G1_SSWU_Z, &u2);
    bls_fp_sqr(&tv1, &zu2);
    bls_fp_add(&tv1, &tv1, &zu2);
    if (bls_fp_is_zero(&tv1)) {
        x1 = G1_SSWU_B_OVER_ZA;
    } else {
        bls_fp_inv(&tv1, &tv1);
        bls_fp_one(&t);
        bls_fp_add(&t, &t, &tv1);
        bls_fp_mul(&x1, &G1_SSWU_MINUS_B_OVER_A, &t);
    }
    bls_fp_sqr(&gx1, &x1);
    bls_fp_add(&gx1, &gx1, &G1_SSWU_A);
    bls_fp_mul(&gx1, &gx1, &x1);
    bls_fp_add(&gx1, &gx1, &G1_SSWU_B);
    if (bls_fp_sqrt(y, &gx1)) {
        *x = x1;
    } else {
        bls_fp_mul(&x2, &zu2, &x1);
        bls_fp_sqr(&gx2, &x2);
        bls_fp_add(&gx2, &gx2, &G1_SSWU_A);
        bls_fp_mul(&gx2, &gx2, &x2);
        bls_fp_add(&gx2, &gx2, &G1_SSWU_B);
        bool ok = bls_fp_sqrt(y, &gx2); /* square by the choice of Z */
        (void)ok;
        *x = x2;
    }
    if (bls_fp_sgn0(u) != bls_fp_sgn0(y)) bls_fp_neg(y, y);
}

static void poly_eval_fp(bls_fp *r, const bls_fp *k, int n, bool monic, const bls_fp *x) {
    bls_fp acc;
    int i = n - 1;
    if (monic) {
        bls_fp_add(&acc, x, &k[i]); /* 1*x + k[n-1] */
    } else {
        acc = k[i];
    }
    for (i = i - 1; i >= 0; i--) {
        bls_fp_mul(&acc, &acc, x);
        bls_fp_add(&acc, &acc, &k[i]);
    }
    *r = acc;
}

static void iso_map_g1(bls_g1 *out, const bls_fp *x, const bls_fp *y) {
    bls_fp xn, xd, yn, yd, t, yd2;
    poly_eval_fp(&xn, G1_ISO_XNUM, 12, false, x);
    poly_eval_fp(&xd, G1_ISO_XDEN, 10, true, x);
    poly_eval_fp(&yn, G1_ISO_YNUM, 16, false, x);
    poly_eval_fp(&yd, G1_ISO_YDEN, 15, true, x);
    if (bls_fp_is_zero(&xd) || bls_fp_is_zero(&yd)) {
        bls_fp_one(&out->X);
        bls_fp_one(&out->Y);
        bls_fp_zero(&out->Z);
        return;
    }
    bls_fp_mul(&out->Z, &xd, &yd);
    bls_fp_sqr(&yd2, &yd);
    bls_fp_mul(&out->X, &xn, &xd);
    bls_fp_mul(&out->X, &out->X, &yd2);
    bls_fp_sqr(&t, &xd);
    bls_fp_mul(&t, &t, &xd);
    bls_fp_mul(&t, &t, &yd2);
    bls_fp_mul(&t, &t, &yn);
    bls_fp_mul(&out->Y, &t, y);
}

void bls_map_to_curve_g1(bls_g1 *out, const bls_fp *u) {
    bls_fp x, y;
    sswu_e1prime(&x, &y, u);
    iso_map_g1(out, &x, &y);
}

/* h_eff = 1 - x = 1 + |x| for G1 (RFC 9380 8.8.1). */
void bls_clear_cofactor_g1(bls_g1 *out, const bls_g1 *p) {
    bls_g1 t;
    bls_g1_mul_x_abs(&t, p);
    bls_g1_add(out, &t, p);
}

cd_status bls_hash_to_g1(bls_g1 *out, const uint8_t *msg, size_t msg_len, const uint8_t *dst,
                         size_t dst_len) {
    if ((!msg && msg_len) || !dst || !out) return CD_ERR_INVALID_ARG;
    uint8_t uniform[128];
    cd_status s = expand_message_xmd(uniform, sizeof uniform, msg ? msg : (const uint8_t *)"",
                                     msg_len, dst, dst_len);
    if (s != CD_OK) return s;
    bls_fp u0, u1;
    bls_fp_from_bytes64_reduce(&u0, uniform);
    bls_fp_from_bytes64_reduce(&u1, uniform + 64);
    bls_g1 q0, q1, r;
    bls_map_to_curve_g1(&q0, &u0);
    bls_map_to_curve_g1(&q1, &u1);
    bls_g1_add(&r, &q0, &q1);
    bls_clear_cofactor_g1(out, &r);
    return CD_OK;
}
