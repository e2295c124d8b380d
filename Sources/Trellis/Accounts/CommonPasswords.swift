/// Passwords of 12+ characters that appear at the top of public breach corpora, lowercased.
/// Shorter ones are refused by length already. Extend the list rather than adding rules.
enum CommonPasswords {
    static let list: Set<String> = [
        "123456789012", "1234567890123", "12345678901234", "123456789123", "1234567891011", "111111111111",
        "000000000000", "121212121212", "123123123123", "123412341234", "112233445566", "987654321098",
        "098765432109", "147258369147", "123qweasdzxc", "1q2w3e4r5t6y", "1qaz2wsx3edc", "1qaz2wsx3edc4rfv",
        "qwertyuiop12", "qwertyuiop123", "qwertyuiopas", "qwertyuiopasdfghjkl", "qwertyqwerty", "qwerty123456",
        "qwerty1234567", "asdfghjkl123", "asdfasdfasdf", "zxcvbnm12345", "zaq12wsxcde3", "abc123abc123",
        "abcdefghijkl", "abcd12345678", "abcdefg12345", "password1234", "password12345", "password123456",
        "password123!", "password2020", "password2021", "password2022", "password2023", "password2024",
        "password2025", "password2026", "passwordpassword", "passw0rd1234", "p@ssw0rd1234", "p@ssword1234",
        "mypassword123", "mypassword12", "changeme1234", "changeme123!", "letmein12345", "letmeinplease",
        "welcome12345", "welcome123456", "welcome2024!", "iloveyou1234", "iloveyou12345", "iloveyouforever",
        "iloveyoubaby", "ilovemyfamily", "ilovemymom123", "sunshine1234", "princess1234", "football1234",
        "baseball1234", "superman1234", "batman123456", "starwars1234", "pokemon12345", "minecraft123",
        "dragon123456", "monkey123456", "shadow123456", "master123456", "michael12345", "jennifer1234",
        "charlie12345", "trustno1trustno1", "administrator", "administrator1", "admin1234567", "admin123456789",
        "adminadmin123", "rootroot1234", "computer1234", "internet1234", "helloworld123", "helloworld12",
        "hello1234567", "secret123456", "whatever1234", "freedom12345", "qazwsxedcrfv", "qazwsxedc123",
        "1234qwerasdf", "1234qwerasdfzxcv", "qwer1234asdf", "aaaaaaaaaaaa", "abcabcabcabc", "loveyou12345",
        "correcthorsebatterystaple", "thequickbrownfox", "letmein123456", "welcomewelcome", "summer2024!!",
        "spring2025!!", "winter2025!!", "autumn2024!!", "january2025!", "companyname1", "trellis12345",
    ]
}
