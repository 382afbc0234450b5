"""Server settings of common mail providers, prefilled as soon as an address is typed.

The facts (which domains belong to a provider, its POP3 and SMTP host, port and
security, whether the login name is the whole address or its local part) come from
Thunderbird's ISP database, https://github.com/thunderbird/autoconfig (``ispdb/``),
published under the Mozilla Public License 2.0; each entry names the ISPDB file it was
taken from. The table below is our own transcription of those facts, not ISPDB code;
the notes are ours. Where the ISPDB lists both implicit TLS and STARTTLS for a server,
implicit TLS is taken (RFC 8314 §3.3). A domain matches only as the ISPDB lists it: a
subdomain of a listed domain is not that provider's unless listed itself.

Providers the ISPDB lists without a POP3 server, or with OAuth2 as the only login,
are kept so the user learns why PyMailGUI cannot log in there (``usable`` is False).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pymailgui.config.schema import POP_PORTS, SMTP_PORTS, AccountConfig, Security, ServerConfig
from pymailgui.errors import ConfigError

TLS, STARTTLS = Security.TLS, Security.STARTTLS

#: Sentences a front end shows next to the prefilled settings.
OAUTH2_ONLY = "This provider allows only OAuth2 logins, which PyMailGUI does not support yet."
NO_POP = "This provider offers no POP3 (only IMAP), which PyMailGUI does not use."
# A sentence about passwords, not one (S105).
APP_PASSWORD = (
    "It needs an app password, created in the provider's account security settings; "  # noqa: S105
    "the password of the web mail is refused."
)
ENABLE_POP = "POP must be enabled once in the web mail's settings before it can be used."


class Login(enum.Enum):
    """What the provider expects as the login name."""

    ADDRESS = "the whole address"  # ISPDB %EMAILADDRESS%
    LOCAL_PART = "the part before the @"  # ISPDB %EMAILLOCALPART%


@dataclass(frozen=True)
class Endpoint:
    """One server of a provider."""

    host: str
    port: int
    security: Security
    login: Login = Login.ADDRESS

    def username(self, address: str) -> str:
        """The login name for ``address`` ("" means the address, as in the schema)."""
        if self.login is Login.LOCAL_PART:
            return address.rpartition("@")[0].strip()
        return ""

    def server(self, address: str, protocol: str) -> ServerConfig:
        """A ServerConfig for ``address``; the port is 0 when it is the standard one."""
        standard = (POP_PORTS if protocol == "pop" else SMTP_PORTS)[self.security]
        return ServerConfig(
            host=self.host,
            port=0 if self.port == standard else self.port,
            security=self.security,
            username=self.username(address),
        )


@dataclass(frozen=True)
class ProviderSettings:
    """What :func:`suggest` knows about the provider of an address."""

    ispdb: str  # the ISPDB file the facts come from (ispdb/NAME.xml)
    name: str
    domains: frozenset[str]
    pop: Endpoint | None
    smtp: Endpoint | None
    oauth2_only: bool = False
    notes: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        """PyMailGUI can log in: the provider has POP3 and accepts a password."""
        return self.pop is not None and not self.oauth2_only

    def pop_server(self, address: str) -> ServerConfig | None:
        return self.pop.server(address, "pop") if self.pop is not None else None

    def smtp_server(self, address: str) -> ServerConfig | None:
        return self.smtp.server(address, "smtp") if self.smtp is not None else None

    def account(self, name: str, address: str, display_name: str = "") -> AccountConfig:
        """A new account with this provider's servers (ConfigError when not usable)."""
        pop = self.pop_server(address)
        if pop is None or not self.usable:
            raise ConfigError(f"{self.name}: {' '.join(self.notes)}")
        return AccountConfig(
            name=name,
            address=address,
            display_name=display_name,
            pop=pop,
            smtp=self.smtp_server(address),
        )


def _at(host: str, port: int, security: Security, *, login: Login = Login.ADDRESS) -> Endpoint:
    return Endpoint(host, port, security, login)


def _provider(
    ispdb: str,
    name: str,
    domains: str,
    *,
    pop: Endpoint | None,
    smtp: Endpoint | None,
    oauth2_only: bool = False,
    notes: tuple[str, ...] = (),
) -> ProviderSettings:
    if oauth2_only and OAUTH2_ONLY not in notes:
        notes = (OAUTH2_ONLY, *notes)
    if pop is None and NO_POP not in notes:
        notes = (NO_POP, *notes)
    return ProviderSettings(ispdb, name, frozenset(domains.split()), pop, smtp, oauth2_only, notes)


PROVIDERS: tuple[ProviderSettings, ...] = (
    _provider(
        "googlemail.com",
        "Google Mail",
        "gmail.com googlemail.com google.com jazztel.es nyu.edu",
        pop=_at("pop.gmail.com", 995, TLS),
        smtp=_at("smtp.gmail.com", 465, TLS),
        notes=(
            "POP must be enabled in Gmail's settings (Forwarding and POP/IMAP).",
            APP_PASSWORD,
        ),
    ),
    _provider(
        "hotmail.com",
        "Outlook.com (Microsoft)",
        (
            "hotmail.com live.com msn.com outlook.com windowslive.com outlook.at outlook.be "
            "outlook.cl outlook.cz outlook.de outlook.dk outlook.es outlook.fr outlook.hu "
            "outlook.ie outlook.in outlook.it outlook.jp outlook.kr outlook.lv outlook.my "
            "outlook.ph outlook.pt outlook.sa outlook.sg outlook.sk outlook.co.id outlook.co.il "
            "outlook.co.th outlook.com.ar outlook.com.au outlook.com.br outlook.com.gr "
            "outlook.com.tr outlook.com.vn hotmail.be hotmail.ca hotmail.cl hotmail.cz hotmail.de "
            "hotmail.dk hotmail.es hotmail.fi hotmail.fr hotmail.gr hotmail.hu hotmail.it "
            "hotmail.lt hotmail.lv hotmail.my hotmail.nl hotmail.no hotmail.ph hotmail.rs "
            "hotmail.se hotmail.sg hotmail.sk hotmail.co.id hotmail.co.il hotmail.co.in "
            "hotmail.co.jp hotmail.co.kr hotmail.co.th hotmail.co.uk hotmail.co.za hotmail.com.ar "
            "hotmail.com.au hotmail.com.br hotmail.com.hk hotmail.com.tr hotmail.com.tw "
            "hotmail.com.vn live.at live.be live.ca live.cl live.cn live.de live.dk live.fi "
            "live.fr live.hk live.ie live.in live.it live.jp live.nl live.no live.ru live.se "
            "live.co.jp live.co.kr live.co.uk live.co.za live.com.ar live.com.au live.com.mx "
            "live.com.my live.com.ph live.com.pt live.com.sg livemail.tw "
            "olc.protection.outlook.com "
        ),
        pop=_at("outlook.office365.com", 995, TLS),
        smtp=_at("smtp-mail.outlook.com", 587, STARTTLS),
        oauth2_only=True,
    ),
    _provider(
        "office365.com",
        "Microsoft 365",
        "office365.com onmicrosoft.com mail.protection.outlook.com",
        pop=_at("outlook.office365.com", 995, TLS),
        smtp=_at("smtp.office365.com", 587, STARTTLS),
        oauth2_only=True,
    ),
    _provider(
        "yahoo.com",
        "Yahoo! Mail",
        (
            "yahoo.com yahoo.ca yahoo.de yahoo.it yahoo.fr yahoo.es yahoo.se yahoo.co.in "
            "yahoo.co.uk yahoo.co.nz yahoo.com.au yahoo.com.ar yahoo.com.br yahoo.com.mx "
            "ymail.com myyahoo.com rocketmail.com cox.net mail.am0.yahoodns.net am0.yahoodns.net "
            "yahoodns.net "
        ),
        pop=_at("pop.mail.yahoo.com", 995, TLS),
        smtp=_at("smtp.mail.yahoo.com", 465, TLS),
        notes=(APP_PASSWORD,),
    ),
    _provider(
        "yahoo.co.jp",
        "Yahoo! メール",
        "yahoo.co.jp",
        pop=_at("pop.mail.yahoo.co.jp", 995, TLS, login=Login.LOCAL_PART),
        smtp=_at("smtp.mail.yahoo.co.jp", 465, TLS, login=Login.LOCAL_PART),
    ),
    _provider(
        "aol.com",
        "AOL Mail",
        (
            "aol.com aim.com netscape.net netscape.com compuserve.com cs.com wmconnect.com aol.de "
            "aol.it aol.fr aol.es aol.se aol.co.uk aol.co.nz aol.com.au aol.com.ar aol.com.br "
            "aol.com.mx mail.gm0.yahoodns.net "
        ),
        pop=_at("pop.aol.com", 995, TLS),
        smtp=_at("smtp.aol.com", 465, TLS),
        notes=(APP_PASSWORD,),
    ),
    _provider(
        "verizon.net",
        "Verizon Online",
        "verizon.net",
        pop=_at("pop.aol.com", 995, TLS),
        smtp=_at("smtp.aol.com", 465, TLS),
        notes=("Verizon mail is served by AOL.", APP_PASSWORD),
    ),
    _provider(
        "gmx.net",
        "GMX Freemail",
        (
            "gmx.net gmx.de gmx.at gmx.ch gmx.eu gmx.biz gmx.org gmx.info mein.gmx mail.gmx "
            "email.gmx "
        ),
        pop=_at("pop.gmx.net", 995, TLS),
        smtp=_at("mail.gmx.net", 465, TLS),
        notes=(ENABLE_POP,),
    ),
    _provider(
        "gmx.com",
        "GMX Freemail",
        (
            "gmx.com gmx.tm gmx.us gmx.co.uk gmx.es gmx.fr gmx.ca gmx.cn gmx.co.in gmx.com.br "
            "gmx.com.my gmx.hk gmx.ie gmx.ph gmx.pt gmx.ru gmx.se gmx.sg gmx.tw gmx.com.tr gmx.it "
            "gmx.li "
        ),
        pop=_at("pop.gmx.com", 995, TLS),
        smtp=_at("mail.gmx.com", 465, TLS),
        notes=(ENABLE_POP,),
    ),
    _provider(
        "mail.com",
        "mail.com",
        (
            "mail.com mail.org email.com post.com usa.com accountant.com consultant.com dr.com "
            "engineer.com cheerful.com techie.com linuxmail.org europe.com london.com uymail.com "
            "myself.com iname.com writeme.com 2die4.com activist.com adexec.com africamail.com "
            "aircraftmail.com alabama.usa.com alaska.usa.com allergist.com alumni.com "
            "alumnidirector.com americamail.com amorous.com angelic.com archaeologist.com "
            "arizona.usa.com artlover.com asia-mail.com atheist.com australiamail.com "
            "bartender.net berlin.com bigger.com bikerider.com birdlover.com blader.com "
            "boardermail.com brazilmail.com brew-master.com california.usa.com californiamail.com "
            "caress.com catlover.com chef.net chemist.com chinamail.com clerk.com cliffhanger.com "
            "collector.org columnist.com comic.com computer4u.com contractor.net coolsite.net "
            "counsellor.com count.com couple.com cutey.com cyberdude.com cybergal.com "
            "cyber-wizard.com dallasmail.com dbzmail.com deliveryman.com diplomats.com "
            "disciples.com doctor.com doglover.com doramail.com dublin.com earthling.net "
            "elvisfan.com englandmail.com europemail.com execs.com fan.com feelings.com "
            "financier.com fireman.net florida.usa.com footballer.com gardener.com geologist.com "
            "germanymail.com graduate.org graphic-designer.com hackermail.com hairdresser.net "
            "hilarious.com hockeymail.com homemail.com hot-shot.com hour.com humanoid.net "
            "illinois.usa.com innocent.com inorbit.com instruction.com instructor.net insurer.com "
            "irelandmail.com italymail.com japan.com journalist.com keromail.com kittymail.com "
            "koreamail.com lawyer.com legislator.com loveable.com lovecat.com mad.scientist.com "
            "madonnafan.com madrid.com marchmail.com mexicomail.com mindless.com minister.com "
            "mobsters.com monarchy.com moscowmail.com munich.com musician.org muslim.com "
            "newyork.usa.com null.net nycmail.com oath.com optician.com pacificwest.com "
            "petlover.com photographer.net playful.com poetic.com politician.com popstar.com "
            "presidency.com priest.com programmer.net publicist.com realtyagent.com reborn.com "
            "reggaefan.com religious.com repairman.com representative.com rescueteam.com "
            "revenue.com rocketship.com rockfan.com rome.com royal.net saintly.com "
            "salesperson.net sanfranmail.com scientist.com scotlandmail.com secretary.net "
            "seductive.com singapore.com snakebite.com songwriter.net soon.com spainmail.com "
            "teachers.org technologist.com texas.usa.com thegame.com therapist.net toke.com "
            "tokyo.com toothfairy.com tvstar.com umpire.com wallet.com webname.com weirdness.com "
            "who.net whoever.com winning.com witty.com worker.com workmail.com yours.com "
        ),
        pop=_at("pop.mail.com", 995, TLS),
        smtp=_at("smtp.mail.com", 465, TLS),
    ),
    _provider(
        "web.de",
        "WEB.DE Freemail",
        "web.de",
        pop=_at("pop3.web.de", 995, TLS, login=Login.LOCAL_PART),
        smtp=_at("smtp.web.de", 465, TLS, login=Login.LOCAL_PART),
        notes=(ENABLE_POP,),
    ),
    _provider(
        "1und1.de",
        "1&1",
        (
            "online.de onlinehome.de sofortstart.de sofort-start.de sofortsurf.de sofort-surf.de "
            "go4more.de kundenserver.de schlund.de "
        ),
        pop=_at("pop.1und1.de", 995, TLS),
        smtp=_at("smtp.1und1.de", 465, TLS),
    ),
    _provider(
        "t-online.de",
        "t-online",
        "t-online.de magenta.de",
        pop=_at("securepop.t-online.de", 995, TLS),
        smtp=_at("securesmtp.t-online.de", 465, TLS),
        notes=(
            "It needs the separate e-mail password set up in the Telekom customer center; "
            "the password of the web site is refused.",
        ),
    ),
    _provider(
        "vodafonemail.de",
        "Vodafone",
        "vodafonemail.de arcor.de kabelmail.de",
        pop=_at("pop3.vodafonemail.de", 995, TLS),
        smtp=_at("smtp.vodafonemail.de", 465, TLS),
    ),
    _provider(
        "strato.de",
        "Strato",
        "strato.de rzone.de",
        pop=_at("pop3.strato.de", 995, TLS),
        smtp=_at("smtp.strato.de", 465, TLS),
    ),
    _provider(
        "posteo.de",
        "Posteo",
        (
            "posteo.de posteo.at posteo.be posteo.ca posteo.ch posteo.cl posteo.co posteo.co.uk "
            "posteo.com posteo.com.br posteo.cr posteo.cz posteo.dk posteo.ee posteo.es posteo.eu "
            "posteo.fi posteo.gl posteo.gr posteo.hn posteo.hr posteo.hu posteo.ie posteo.in "
            "posteo.is posteo.it posteo.jp posteo.la posteo.li posteo.lt posteo.lu posteo.me "
            "posteo.mx posteo.my posteo.net posteo.nl posteo.no posteo.nz posteo.org posteo.pe "
            "posteo.pl posteo.pm posteo.pt posteo.ro posteo.se posteo.sg posteo.si posteo.tn "
            "posteo.uk posteo.us "
        ),
        pop=_at("posteo.de", 995, TLS),
        smtp=_at("posteo.de", 465, TLS),
    ),
    _provider(
        "me.com",
        "Apple iCloud",
        "mac.com me.com icloud.com",
        pop=None,
        smtp=_at("smtp.mail.me.com", 587, STARTTLS),
    ),
    _provider(
        "messagingengine.com",
        "Fastmail",
        "messagingengine.com",
        pop=_at("pop.fastmail.com", 995, TLS),
        smtp=_at("smtp.fastmail.com", 465, TLS),
        notes=(APP_PASSWORD,),
    ),
    _provider(
        "zoho.com",
        "Zoho Mail - US",
        "zoho.com zohomail.com",
        pop=_at("pop.zoho.com", 995, TLS),
        smtp=_at("smtp.zoho.com", 465, TLS),
        notes=(ENABLE_POP,),
    ),
    _provider(
        "zoho.eu",
        "Zoho Mail - Europe",
        "zoho.eu zohomail.eu",
        pop=_at("pop.zoho.eu", 995, TLS),
        smtp=_at("smtp.zoho.eu", 465, TLS),
        notes=(ENABLE_POP,),
    ),
    _provider(
        "zoho.in",
        "Zoho Mail - India",
        "zoho.in zohomail.in",
        pop=_at("pop.zoho.in", 995, TLS),
        smtp=_at("smtp.zoho.in", 465, TLS),
        notes=(ENABLE_POP,),
    ),
    _provider(
        "mail.ru",
        "mail.ru",
        "mail.ru inbox.ru list.ru bk.ru corp.mail.ru",
        pop=_at("pop.mail.ru", 995, TLS),
        smtp=_at("smtp.mail.ru", 465, TLS),
    ),
    _provider(
        "yandex.ru",
        "Yandex Mail",
        "yandex.ru yandex.com yandex.net yandex.by yandex.kz yandex.ua ya.ru narod.ru",
        pop=_at("pop.yandex.com", 995, TLS),
        smtp=_at("smtp.yandex.com", 465, TLS),
    ),
    _provider(
        "free.fr",
        "Freebox",
        "free.fr",
        pop=_at("pop.free.fr", 995, TLS, login=Login.LOCAL_PART),
        smtp=_at("smtp.free.fr", 465, TLS, login=Login.LOCAL_PART),
    ),
    _provider(
        "orange.fr",
        "Mail Orange",
        "orange.fr wanadoo.fr",
        pop=_at("pop.orange.fr", 995, TLS),
        smtp=_at("smtp.orange.fr", 465, TLS),
    ),
    _provider(
        "sfr.fr",
        "SFR / Neuf",
        "sfr.fr neuf.fr club-internet.fr",
        pop=_at("pop.sfr.fr", 995, TLS),
        smtp=_at("smtp.sfr.fr", 465, TLS),
    ),
    _provider(
        "laposte.net",
        "LaPoste",
        "laposte.net",
        pop=_at("pop.laposte.net", 995, TLS, login=Login.LOCAL_PART),
        smtp=_at("smtp.laposte.net", 465, TLS, login=Login.LOCAL_PART),
    ),
    _provider(
        "libero.it",
        "Libero Mail",
        "libero.it iol.it blu.it inwind.it giallo.it",
        pop=_at("popmail.libero.it", 995, TLS),
        smtp=_at("smtp.libero.it", 465, TLS),
    ),
    _provider(
        "virgilio.it",
        "Virgilio Mail",
        "virgilio.it",
        pop=_at("in.virgilio.it", 995, TLS),
        smtp=_at("out.virgilio.it", 465, TLS),
    ),
    _provider(
        "seznam.cz",
        "Seznam",
        "seznam.cz email.cz post.cz spoluzaci.cz",
        pop=_at("pop3.seznam.cz", 995, TLS),
        smtp=_at("smtp.seznam.cz", 465, TLS),
    ),
    _provider(
        "wp.pl",
        "Poczta Wirtualna Polska",
        "wp.pl",
        pop=_at("pop3.wp.pl", 995, TLS, login=Login.LOCAL_PART),
        smtp=_at("smtp.wp.pl", 465, TLS, login=Login.LOCAL_PART),
    ),
    _provider(
        "o2.pl",
        "o2 Poczta",
        "o2.pl go2.pl tlen.pl prokonto.pl",
        pop=_at("poczta.o2.pl", 995, TLS, login=Login.LOCAL_PART),
        smtp=_at("poczta.o2.pl", 465, TLS, login=Login.LOCAL_PART),
        notes=("Access for mail programs must be activated once in the o2 web mail.",),
    ),
    _provider(
        "onet.pl",
        "Onet Poczta",
        (
            "onet.pl onet.eu poczta.onet.pl poczta.onet.eu op.pl vp.pl autograf.pl buziaczek.pl "
            "amorki.pl republika.pl adres.pl cyberia.pl onet.com.pl opoczta.pl pseudonim.pl "
            "spoko.pl vip.onet.pl "
        ),
        pop=_at("pop3.poczta.onet.pl", 995, TLS),
        smtp=_at("smtp.poczta.onet.pl", 465, TLS),
    ),
    _provider(
        "comcast.net",
        "Comcast",
        "comcast.net",
        pop=_at("mail.comcast.net", 995, TLS),
        smtp=_at("smtp.comcast.net", 465, TLS),
        notes=("Third-party access must be allowed once in the Xfinity account settings.",),
    ),
    _provider(
        "att.net",
        "AT&T",
        (
            "ameritech.net att.net bellsouth.net currently.com flash.net nvbell.net pacbell.net "
            "prodigy.net sbcglobal.net snet.net swbell.net wans.net "
        ),
        pop=_at("inbound.att.net", 995, TLS),
        smtp=_at("outbound.att.net", 465, TLS),
        notes=("It needs a secure mail key (an app password) from the AT&T account settings.",),
    ),
    _provider(
        "btinternet.com",
        "BT Mail",
        "btinternet.com btopenworld.com talk21.com",
        pop=_at("mail.btinternet.com", 995, TLS),
        smtp=_at("mail.btinternet.com", 465, TLS),
    ),
    _provider(
        "kpnmail.nl",
        "KPN E-mail",
        (
            "kpnmail.nl kpnplanet.nl planet.nl wxs.nl hetnet.nl freeler.nl snelnet.net on.nl "
            "onsbrabantnet.nl onsmail.nl onsnet.nu onsneteindhoven.nl onsnetnuenen.nl xs4all.nl "
            "telfort.nl tip.nl tiscali.nl tiscalimail.nl "
        ),
        pop=_at("pop.kpnmail.nl", 995, TLS),
        smtp=_at("smtp.kpnmail.nl", 465, TLS),
    ),
    _provider(
        "ziggo.nl",
        "Ziggo Mail",
        (
            "hahah.nl ziggomail.com casema.nl zinders.nl ziggo.nl zeggis.nl zeggis.com razcall.nl "
            "razcall.com upcmail.nl chello.nl multiweb.nl home.nl quicknet.nl "
        ),
        pop=_at("pop.ziggo.nl", 995, TLS),
        smtp=_at("smtp.ziggo.nl", 587, STARTTLS),
    ),
)

_BY_DOMAIN: dict[str, ProviderSettings] = {
    domain: provider for provider in PROVIDERS for domain in provider.domains
}


def domain_of(address: str) -> str:
    """The lower-case ASCII domain of ``address`` ("" when it has none)."""
    domain = address.strip().rpartition("@")[2].strip().rstrip(".").lower()
    if "@" not in address or not domain:
        return ""
    if not domain.isascii():
        try:  # an internationalised domain is listed as A-labels (RFC 5891)
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return ""
    return domain


def suggest(address: str) -> ProviderSettings | None:
    """The provider of ``address`` when the table knows its domain, else None."""
    return _BY_DOMAIN.get(domain_of(address))
