"""Chinese text for the demo database: worlds, names, titles, summaries, chapter prose.

Everything is drawn from small phrase vocabularies with a :class:`random.Random`
the caller owns, so the same seed always gives the same text. Chapter text has
the shape the app stores: an optional ``第N章 标题`` heading, then paragraphs
separated by ``"\\n\\n"``, with dialogue in Chinese quotation marks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["MIXED_TITLES", "WORLDS", "ProseWriter", "World"]


@dataclass(frozen=True)
class World:
    """One genre's vocabulary: the novel's frame and the pools its text is drawn from."""

    key: str
    genre: str
    style: str
    tone: str
    audience: str
    titles: tuple[str, ...]
    heroes: tuple[str, ...]
    cast: tuple[str, ...]
    places: tuple[str, ...]
    items: tuple[str, ...]
    factions: tuple[str, ...]
    rules: tuple[str, ...]
    scenery: tuple[str, ...]


WORLDS: tuple[World, ...] = (
    World(
        key="scifi",
        genre="科幻 / 太空歌剧",
        style="冷峻写实，细节密集，穿插黑色幽默",
        tone="苍凉中带着希望",
        audience="18-35岁喜欢硬核科幻与冒险的读者",
        titles=("星海拾遗录", "第七环港口", "静默星域", "跃迁者", "引力井墓场", "白鹭号航行日志"),
        heroes=("林遥", "程野", "许星河"),
        cast=("苏棠", "零号", "维克多", "老K", "沈叔", "艾琳", "陆远舟"),
        places=("第七环港口", "灯塔-3", "火星旧城区", "静默星域", "引力井墓场", "白鹭号"),
        items=("黑匣子", "跃迁钥匙", "旧式终端", "量子罗盘", "星图残片"),
        factions=("星际联邦", "守钟人", "拾荒者公会", "火星自治团"),
        rules=(
            "超光速航行依赖“跃迁走廊”，走廊由联邦垄断；任何未登记的跃迁都会留下可追踪的“涟漪”。",
            "人工智能不得拥有完整的长期记忆，每七十二小时必须强制清档。",
        ),
        scenery=(
            "舷窗外，破碎的卫星残骸缓慢翻滚，在恒星的余晖里闪着冷光。",
            "全息屏上的数据流像瀑布一样倾泻而下。",
            "舱壁外传来低沉的嗡鸣，像某种巨兽在黑暗里翻身。",
        ),
    ),
    World(
        key="xianxia",
        genre="仙侠 / 修真",
        style="古典白话，节奏张弛有度",
        tone="热血、苍凉",
        audience="男频仙侠读者",
        titles=("青云剑录", "听雪问剑", "九峰长生诀", "断剑崖", "万妖谷风云"),
        heroes=("沈青云", "叶孤帆", "楚慕白"),
        cast=("苏挽月", "阿蛮", "墨无尘", "柳长老", "赵师兄", "玄冥老祖"),
        places=("青云宗", "断剑崖", "藏经阁", "落霞峰", "万妖谷", "问剑台"),
        items=("残剑听雪", "玉简", "聚灵丹", "冰魄玉", "护山大阵图"),
        factions=("青云宗", "天魔教", "万妖谷", "百炼阁"),
        rules=(
            "修炼境界分为炼气、筑基、金丹、元婴、化神五境；灵根决定修炼速度，残缺灵根几乎无法筑基。",
            "正魔两道以问剑台为界，三百年来互不越境。",
        ),
        scenery=(
            "山风卷着松涛从崖下涌上来，吹得衣袂猎猎作响。",
            "云海翻涌，九峰在晨光中若隐若现。",
            "剑鸣声自远处传来，清越悠长，久久不散。",
        ),
    ),
    World(
        key="urban",
        genre="都市悬疑 / Cyber Noir",
        style="快节奏，短句，大量对白，夹杂英文俚语",
        tone="暗黑、俏皮、紧张",
        audience="都市悬疑、赛博题材爱好者 (18+)",
        titles=("新港夜行", "霓虹之下", "零点委托", "雨城档案", "月光大厦"),
        heroes=("顾言", "唐小满", "江屿"),
        cast=("Iris 林", "Moth", "Marcus 周", "老陈", "白鸦", "许警官"),
        places=("新港市", "月光大厦", "旧码头", "地下诊所", "霓虹街", "第九分局"),
        items=("加密协议", "黑猫项圈", "旧硬盘", "门禁卡", "录音笔"),
        factions=("月光集团", "地下黑客联盟", "新港警署", "码头帮"),
        rules=(
            "城市中所有公共屏幕都接入“月光网”，个人情绪数据被实时采集；未经授权接入月光网属重罪。",
            "每个市民的信用分决定他能走进哪一条街。",
        ),
        scenery=(
            "雨水顺着霓虹招牌往下淌，把整条街染成一片暧昧的紫。",
            "远处的高架桥上，无人驾驶的货车排成一条发光的长龙。",
            "便利店的自动门开了又合，冷气混着关东煮的味道扑面而来。",
        ),
    ),
    World(
        key="republic",
        genre="民国悬疑",
        style="老派、克制",
        tone="阴郁",
        audience="喜欢年代悬疑的读者",
        titles=("雾港旧事", "停走的怀表", "十里洋场", "旧巷灯影"),
        heroes=("陆沉舟", "顾曼卿"),
        cast=("白露", "沈怀瑾", "金三爷", "小六子", "周探长"),
        places=("雾港码头", "百乐门", "同福里", "巡捕房", "旧货铺"),
        items=("怀表", "当票", "密信", "银元", "旧照片"),
        factions=("青帮", "巡捕房", "商会", "码头工会"),
        rules=("租界与华界各有一套规矩，过了外白渡桥，说话就得换一副腔调。",),
        scenery=(
            "江面上的雾浓得化不开，汽笛声闷闷地传过来。",
            "煤油灯的光晕在墙上摇晃，照出一屋子旧家具的影子。",
        ),
    ),
    World(
        key="fantasy",
        genre="西方奇幻",
        style="史诗感，多线叙事",
        tone="壮阔、悲怆",
        audience="奇幻爱好者",
        titles=("龙骨王座", "灰烬之冠", "北境守夜人", "星辉法典"),
        heroes=("艾德里安", "凯瑟琳", "罗兰"),
        cast=("梅林", "赛拉", "黑骑士", "老国王", "精灵信使", "矮人铁匠"),
        places=("北境长城", "银月城", "龙骨山脉", "迷雾森林", "王都", "灰烬荒原"),
        items=("龙晶", "星辉法典", "王冠", "古老卷轴", "秘银剑"),
        factions=("银月议会", "北境骑士团", "龙裔", "暗影教团"),
        rules=("魔法源自龙晶，龙晶枯竭之地，法师与凡人无异。",),
        scenery=(
            "北风卷着雪粒拍打在城墙上，火把的光在风中摇摇欲坠。",
            "远山的轮廓在暮色里像一头沉睡的巨龙。",
        ),
    ),
    World(
        key="wuxia",
        genre="武侠 / 历史",
        style="古朴洗练，白描为主",
        tone="江湖气、快意恩仇",
        audience="武侠老读者",
        titles=("长河落日刀", "江南烟雨楼", "剑出阳关", "镖行天下"),
        heroes=("萧远", "燕归来", "李寻"),
        cast=("柳如烟", "铁掌帮主", "老镖头", "小师妹", "无名僧"),
        places=("阳关", "江南烟雨楼", "少林寺", "黄河渡口", "长安城"),
        items=("断水刀", "武林秘籍", "镖旗", "血玉", "密函"),
        factions=("铁掌帮", "少林", "锦衣卫", "漕帮"),
        rules=("江湖事江湖了，官府不问，朝廷不管。",),
        scenery=(
            "夕阳把黄河染成一条金红色的长带，渡口的船家正收起最后一张帆。",
            "茶馆里人声鼎沸，说书先生一拍醒木，满堂皆静。",
        ),
    ),
)

#: Emoji and mixed-language titles, as users and LLMs write them.
MIXED_TITLES: tuple[str, ...] = (
    "🌙 Moonlight Protocol：月光协议",
    "Re:Start 从零开始的修仙",
    "🔥 Boss战前夜",
    "Chapter 7：Lunar-7 的秘密",
    "💔 The Last Letter 最后一封信",
    "Ω计划 (Project Omega)",
    "AI觉醒 v2.0 🤖",
    "雨夜 · Rainy Night",
    "✨新的开始✨",
    "404 Not Found：消失的人",
)

_TITLE_PATTERNS = (
    "{place}夜话",
    "{item}之谜",
    "重返{place}",
    "{c}的抉择",
    "血色{place}",
    "{f}来客",
    "风起{place}",
    "决战前夜",
    "{item}",
    "暗流",
    "{c}的秘密",
    "初入{place}",
    "{place}惊变",
    "{item}现世",
    "{h}与{c}",
    "迷雾重重",
    "{f}的阴谋",
    "归途",
    "{place}的黎明",
    "旧账",
    "夜探{place}",
    "{c}归来",
    "破局",
    "{item}的下落",
    "余烬",
)

_SUMMARY_PATTERNS = (
    "{h}在{place}意外发现了{item}的下落，却因此卷入一场早有预谋的争夺。",
    "{c}带来一个坏消息：{f}已经盯上了{h}。",
    "{h}第一次正面迎战{f}，虽然险胜，却付出了不小的代价。",
    "为了查清真相，{h}不得不与昔日的对手{c}暂时联手。",
    "{c}的身世之谜初现端倪，{place}的往事被重新翻了出来。",
    "表面的平静之下暗流涌动，{f}的下一步棋已经落下。",
    "{h}在绝境中领悟到{item}的真正用法，局势由此逆转。",
    "一场突如其来的变故打乱了所有计划，{h}被迫提前行动。",
    "{h}与{c}在{place}重逢，昔日的误会在一夜长谈中慢慢解开。",
    "【埋】{c}无意中提到的一个名字，让{h}久久不能平静。",
    "【收】三年前那场大火的真相终于水落石出。",
    "{c}的隐瞒终于露出破绽，两人之间的信任出现了第一道裂痕。",
)

_NARRATION = (
    "{h}没有立刻回答，只是抬头看了一眼{place}的方向。",
    "{h}的指尖微微发颤，不安像潮水一样漫上来，又被硬生生压了回去。",
    "{c}低头整理袖口，动作慢条斯理，像是在给自己争取思考的时间。",
    "{h}把{item}往怀里按了按，脚步放得很轻。",
    "空气仿佛凝固了，连呼吸声都显得格外刺耳。",
    "{h}想起很多年前的那个夜晚，想起{c}最后说过的那句话——别回头。",
    "{c}递过来一张折得方方正正的纸条，上面只写了三个字。",
    "这句话像一根细针，轻轻扎进心里最软的地方。",
    "远处传来一声闷响，脚下的地面跟着震了震。",
    "{h}把那三个字看了很久，久到窗外的天色都暗了下来。",
    "黄昏，{place}的风里夹着一股潮湿的铁锈味。",
    "{item}被小心翼翼地放回原处，仿佛从来没有被人动过。",
    "有些事情，一旦开始，就再也停不下来了。",
    "{f}的人来得比预想中更快。",
    "{c}盯着{h}看了许久，终于叹了口气。",
    "{h}忽然明白，{item}从一开始就不该落到自己手里。",
    "没有人注意到，{place}的角落里多了一道影子。",
    "{h}深吸一口气，推开了那扇门。",
)

_DIALOGUE = (
    "“你确定要这么做？”{c}压低了声音。",
    "“我没得选。”{h}说。",
    "“走吧，”{c}把外套甩到肩上，“再晚就来不及了。”",
    "“还记得{place}吗？”{c}问，“那天晚上，你答应过我什么？”",
    "“你以为这样就能瞒过所有人？”{c}冷笑一声。",
    "“什么？”",
    "“我没想瞒谁，”{h}平静地说，“我只是不想再有人因为我受伤。”",
    "“{f}的人已经到了。”{c}推门而入，脸色发白。",
    "“{item}在哪儿？”{c}一字一顿地问。",
    "“你从来都是这样，”{c}叹了口气，“把所有事情都扛在自己身上。”",
    "“等这件事结束，”{h}顿了顿，“我请你喝酒。”",
    "“别回头。”",
)


class ProseWriter:
    """Text for one novel: its world and cast bound to a seeded random generator.

    Sentences are rendered once into pools, then sampled, so writing tens of
    thousands of chapters stays fast.

    Parameters
    ----------
    rng
        The generator to draw from (owned by the caller).
    world
        The genre vocabulary.
    """

    def __init__(self, rng: random.Random, world: World) -> None:
        self.rng = rng
        self.world = world
        self.hero = rng.choice(world.heroes)
        cast = list(world.cast)
        rng.shuffle(cast)
        self.cast = tuple(cast[: rng.randint(4, len(cast))])
        self._narration = self._render(_NARRATION, 3)
        self._dialogue = self._render(_DIALOGUE, 2)
        self._summaries = self._render(_SUMMARY_PATTERNS, 3)

    def _fill(self, pattern: str) -> str:
        rng, world = self.rng, self.world
        return pattern.format(
            h=self.hero,
            c=rng.choice(self.cast),
            place=rng.choice(world.places),
            item=rng.choice(world.items),
            f=rng.choice(world.factions),
        )

    def _render(self, patterns: tuple[str, ...], copies: int) -> tuple[str, ...]:
        return tuple(self._fill(p) for p in patterns for _ in range(copies))

    def outline_title(self) -> str:
        """A short chapter title such as ``夜探藏经阁``."""
        return self._fill(self.rng.choice(_TITLE_PATTERNS))

    def summary(self, sentences: tuple[int, int] = (2, 5)) -> str:
        """An outline or chapter summary of a few plot sentences (about 60–200 characters)."""
        count = self.rng.randint(*sentences)
        return "".join(self.rng.choices(self._summaries, k=count))

    def paragraph(self) -> str:
        """A paragraph: narration, scenery and dialogue lines."""
        rng = self.rng
        if rng.random() < 0.3:
            return rng.choice(self._dialogue)
        parts = rng.choices(self._narration, k=rng.randint(2, 4))
        if rng.random() < 0.4:
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(self.world.scenery))
        if rng.random() < 0.35:
            parts.append(rng.choice(self._dialogue))
        return "".join(parts)

    def chapter(self, number: int, title: str, length: int, *, heading: bool = True) -> str:
        """Chapter text of at least ``length`` characters, paragraphs separated by blank lines.

        Parameters
        ----------
        number, title
            Used for the ``第N章 标题`` heading.
        length
            The minimum number of characters (the text stops at the first
            paragraph boundary past it).
        heading
            Start with the heading line, as most LLM outputs do.
        """
        paragraphs: list[str] = [f"第{number}章 {title}"] if heading else []
        size = len(paragraphs[0]) if heading else 0
        while size < length:
            paragraph = self.paragraph()
            paragraphs.append(paragraph)
            size += len(paragraph) + 2
        return "\n\n".join(paragraphs)

    def setting(self) -> dict[str, object]:
        """``world_setting`` as the screenwriting prompt returns it (items as dicts or strings)."""
        rng, world = self.rng, self.world
        places = rng.sample(world.places, k=min(len(world.places), rng.randint(2, 4)))
        locations: list[object] = []
        for place in places:
            description = self._fill(rng.choice(_NARRATION))
            if rng.random() < 0.25:
                locations.append(f"{place}：{description}")
            else:
                locations.append({"name": place, "description": description})
        factions: list[object] = []
        for faction in rng.sample(world.factions, k=min(len(world.factions), rng.randint(1, 3))):
            description = self._fill(rng.choice(_SUMMARY_PATTERNS))
            if rng.random() < 0.25:
                factions.append(f"{faction}：{description}")
            else:
                factions.append({"name": faction, "description": description})
        return {
            "core_rules": rng.choice(world.rules),
            "key_locations": locations,
            "factions": factions,
        }
